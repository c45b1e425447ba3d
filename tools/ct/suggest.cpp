#include "suggest.hpp"

#include <algorithm>

namespace ct::cli {
namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and transpositions
// of neighbours, the typos people make.
size_t distance(const std::string &a, const std::string &b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i)
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> closest(const std::string &word,
                                   const std::vector<std::string> &candidates) {
    if (word.size() > 64) return std::nullopt;  // nobody mistypes that much; keep it cheap
    std::optional<std::string> best;
    size_t best_d = 0;
    for (const auto &c : candidates) {
        size_t d = distance(word, c);
        if (!best || d < best_d) {
            best = c;
            best_d = d;
        }
    }
    // Up to a third of the word wrong (at least one edit, at most three).
    size_t allowed = std::clamp<size_t>(word.size() / 3, 1, 3);
    if (best && best_d <= allowed) return best;
    std::optional<std::string> prefixed;
    for (const auto &c : candidates) {
        if (word.size() < 2 || c.rfind(word, 0) != 0) continue;
        if (prefixed) return std::nullopt;  // ambiguous
        prefixed = c;
    }
    return prefixed;
}

}  // namespace ct::cli
