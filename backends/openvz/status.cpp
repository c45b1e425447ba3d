#include "status.hpp"

#include <sys/wait.h>

#include <sstream>

#include "ct/error.hpp"
#include "ctid.hpp"

namespace ct::openvz {
namespace {

std::vector<std::string> words_of(const std::string &text) {
    std::istringstream in(text);
    std::vector<std::string> w;
    for (std::string s; in >> s;) w.push_back(s);
    return w;
}

std::string trimmed(std::string t) {
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ' || t.back() == '\r')) t.pop_back();
    size_t b = 0;
    while (b < t.size() && (t[b] == ' ' || t[b] == '\n')) ++b;
    return t.substr(b);
}

std::string last_line(const std::string &text) {
    std::string t = trimmed(text);
    auto nl = t.rfind('\n');
    return nl == std::string::npos ? t : t.substr(nl + 1);
}

}  // namespace

VzStatus parse_vzctl_status(const std::string &out, const std::string &ctid) {
    auto w = words_of(out);
    auto bad = [&] {
        return Error(Errc::backend,
                     "unexpected output of vzctl status " + ctid + ": '" + last_line(out) + "'");
    };
    if (w.size() < 5 || w.size() > 6 || (w[0] != "CTID" && w[0] != "VEID") || w[1] != ctid)
        throw bad();
    VzStatus s;
    if (w[2] == "exist")
        s.exists = true;
    else if (w[2] != "deleted")
        throw bad();
    if (w[3] == "mounted")
        s.mounted = true;
    else if (w[3] != "unmounted")
        throw bad();
    if (w[4] == "running") {
        s.running = true;
    } else if (w[4] == "paused") {
        s.running = s.paused = true;
    } else if (w[4] == "suspended") {
        s.suspended = true;
    } else if (w[4] != "down") {
        throw bad();
    }
    if (w.size() == 6) {
        // vzctl 4.x and early 7.x: a dump file beside a stopped container. vzctl 3.x says so
        // of a running one too (a dump left by an earlier suspend): it runs, and is described
        // as running.
        if (w[5] != "suspended" || (w[4] != "down" && w[4] != "running")) throw bad();
        s.suspended = w[4] == "down";
    }
    return s;
}

std::vector<std::pair<std::string, VzStatus>> parse_vzlist(const RunResult &r,
                                                           Generation generation) {
    std::vector<std::pair<std::string, VzStatus>> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        auto w = words_of(line);
        if (w.empty()) continue;
        if (w.size() != 2 || !is_ctid(w[0]))
            throw Error(Errc::backend, "unexpected line in vzlist output: '" + line + "'");
        VzStatus s;
        s.exists = true;
        const std::string &word = w[1];
        if (word == "running") {
            s.running = s.mounted = true;
        } else if (word == "paused") {
            s.running = s.paused = s.mounted = true;
        } else if (word == "suspended") {
            s.suspended = true;
        } else if (word == "mounted") {
            s.mounted = true;
        } else if (word != "stopped") {
            throw Error(Errc::backend, "unexpected state '" + word + "' of container " + w[0] +
                                           " in vzlist output");
        }
        out.emplace_back(w[0], s);
    }
    bool legacy_none = generation == Generation::legacy && vzlist_found_none(r);
    if (out.empty() && !trimmed(r.err).empty() && !legacy_none)
        throw Error(Errc::backend, "vzlist listed no containers and reported: " + last_line(r.err));
    return out;
}

bool vzlist_found_none(const RunResult &r) {
    return trimmed(r.out).empty() && trimmed(r.err) == "Container(s) not found" &&
           WIFEXITED(r.wstatus) && WEXITSTATUS(r.wstatus) <= 1;
}

}  // namespace ct::openvz
