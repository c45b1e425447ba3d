// Summary statistics and output helpers shared by the benchmark programs. No libct here: the
// bare reference and the exec timer must not depend on the library they are measuring against.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

namespace ct::bench {

// CLOCK_MONOTONIC in milliseconds: immune to wall-clock steps during a run.
inline double now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

struct Summary {
    size_t n = 0;
    double median = 0;  // mean of the two middle samples when n is even
    double p90 = 0;     // nearest-rank: the ceil(0.9 n)-th smallest sample
    double min = 0;
    double mean = 0;
    double max = 0;
};

Summary summarize(std::vector<double> samples);

// One named series of samples (a phase, or a command).
struct Series {
    std::string name;
    std::vector<double> samples_ms;
};

// Prints "name  median  p90  min  mean" rows, in ms, with a header line.
void print_table(const std::vector<Series> &series);

// JSON string literal (quotes included) for names and messages.
std::string json_quote(const std::string &s);

// {"n":..,"median_ms":..,"p90_ms":..,"min_ms":..,"mean_ms":..,"max_ms":..,"samples_ms":[..]}
std::string summary_json(const std::vector<double> &samples);

// Parses a non-negative integer option value; throws std::invalid_argument naming `option`.
unsigned parse_count(const char *option, const char *value);

}  // namespace ct::bench
