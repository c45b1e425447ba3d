// Terminal processes through `vzctl enter`: the line libct has typed into the container's shell
// and what the caller is shown of that shell's terminal (enter_filter.hpp).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "ct/error.hpp"
#include "enter_filter.hpp"
#include "terminal.hpp"

using namespace ct::openvz;

namespace {

const std::string kNonce = "5f0c3a9e1d2b4c6f";

std::string fixture(const std::string &rel) {
    std::ifstream in(std::string(CT_OPENVZ_FIXTURES) + "/" + rel);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Everything the caller would see of `out`, fed `chunk` bytes at a time.
std::string shown(EnterFilter &f, const std::string &out, size_t chunk) {
    std::string seen;
    std::vector<char> buf(chunk + EnterFilter::kMaxMarker + EnterFilter::kKeep);
    for (size_t i = 0; i < out.size(); i += chunk) {
        size_t n = std::min(chunk, out.size() - i);
        seen.append(buf.data(), f.feed(out.data() + i, n, buf.data()));
    }
    seen.append(buf.data(), f.finish(buf.data()));
    return seen;
}

// A terminal's output for `typed` run by a login shell: what vzctl 4.x prints around it
// (fixtures/samples/vzctl-enter-1.transcript), the prompt, the echo of the typed line, the
// command's output and the markers the typed line prints.
std::string session(const std::string &banner, const std::string &typed, const std::string &output,
                    int code, const TerminalPlan &t) {
    std::string crlf_typed = typed;
    return banner + "root@localhost:/# " + crlf_typed + "\r\n" + t.begin + "\r\n" + output + t.end +
           std::to_string(code) + "\r\nlogout\r\n";
}

}  // namespace

TEST(Terminal, PlanPerGeneration) {
    ct::ProcessSpec p;
    p.args = {"sh", "-c", "echo $HOME"};
    p.cwd = "/srv";
    auto legacy = terminal_plan(Generation::legacy, "/usr/sbin/vzctl", "101", p, kNonce);
    ASSERT_EQ(legacy.argv.size(), 5u);
    EXPECT_EQ(legacy.argv[3], "--exec");
    EXPECT_EQ(legacy.argv[4], "printf '%s%s\\n' __libct_begin_ " + kNonce +
                                  "; (cd /srv && exec sh -c 'echo $HOME'); "
                                  "printf '%s%s:%d\\n' __libct_end_ " +
                                  kNonce + " $?; exit");
    EXPECT_EQ(legacy.typed, "");
    EXPECT_EQ(legacy.begin, "__libct_begin_" + kNonce);
    EXPECT_EQ(legacy.end, "__libct_end_" + kNonce + ":");
    auto vz7 = terminal_plan(Generation::vz7, "/usr/sbin/vzctl", "101", p, kNonce);
    EXPECT_EQ(vz7.argv, (Argv{"/usr/sbin/vzctl", "enter", "101"}));
    EXPECT_EQ(vz7.typed, legacy.argv[4] + "\n");
    // Typed, a marker never appears whole: the echo of the line cannot end the filtering.
    EXPECT_EQ(vz7.typed.find(vz7.begin), std::string::npos);
    EXPECT_EQ(vz7.typed.find(vz7.end), std::string::npos);
    // A line the terminal would cut is refused.
    p.args = {"echo", std::string(5000, 'x')};
    try {
        terminal_plan(Generation::vz7, "/usr/sbin/vzctl", "101", p, kNonce);
        ADD_FAILURE();
    } catch (const ct::Error &e) {
        EXPECT_EQ(e.code(), ct::Errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("4095 bytes"), std::string::npos) << e.what();
    }
}

TEST(Terminal, FilterDropsBannerEchoAndPromptOfALegacyEnter) {
    std::string transcript = fixture("samples/vzctl-enter-1.transcript");
    ASSERT_NE(transcript.find("entered into CT 1\n"), std::string::npos);
    ct::ProcessSpec p;
    p.args = {"ls", "/"};
    auto t = terminal_plan(Generation::legacy, "vzctl", "1", p, kNonce);
    std::string out = session("entered into CT 1\r\n", t.argv[4], "bin  etc  usr\r\n", 0, t) +
                      "exited from CT 1\r\n";
    for (size_t chunk : {size_t{1}, size_t{2}, size_t{7}, size_t{4096}}) {
        EnterFilter f(t.begin, t.end);
        EXPECT_EQ(shown(f, out, chunk), "bin  etc  usr\r\n") << chunk;
        EXPECT_EQ(f.exit_code(), 0);
        EXPECT_EQ(f.wait_status(0), 0);
    }
}

TEST(Terminal, FilterReportsTheCommandsStatus) {
    ct::ProcessSpec p;
    p.args = {"false"};
    auto t = terminal_plan(Generation::vz7, "vzctl", "101", p, kNonce);
    // vzctl 7.x prints no banner; the typed line is echoed by the terminal and the shell.
    std::string typed = t.typed.substr(0, t.typed.size() - 1);
    EnterFilter f(t.begin, t.end);
    EXPECT_EQ(shown(f, typed + "\r\n" + session("", typed, "", 3, t), 3), "");
    EXPECT_EQ(f.exit_code(), 3);
    EXPECT_EQ(WEXITSTATUS(f.wait_status(0)), 3);
    // Killed by a signal: the shell reports 128+N.
    EnterFilter k(t.begin, t.end);
    shown(k, session("", typed, "partial", 137, t), 5);
    EXPECT_EQ(WEXITSTATUS(k.wait_status(0)), 137);
}

TEST(Terminal, FilterPassesWhatOnlyLooksLikeAMarker) {
    ct::ProcessSpec p;
    p.args = {"cat"};
    auto t = terminal_plan(Generation::vz7, "vzctl", "101", p, kNonce);
    std::string tricky = "__libct_end___libct_end_" + kNonce.substr(0, 5) + " and __lib\r\n";
    EnterFilter f(t.begin, t.end);
    EXPECT_EQ(shown(f, session("", "cat", tricky, 0, t), 1), tricky);
    EXPECT_EQ(f.exit_code(), 0);
}

TEST(Terminal, FilterWithoutMarkersShowsVzctlsOwnError) {
    // vzctl could not enter: its message is all there is, and its failure is the status.
    EnterFilter f("__libct_begin_" + kNonce, "__libct_end_" + kNonce + ":");
    std::string err = "Container is not running\r\n";
    EXPECT_EQ(shown(f, err, 4), err);
    EXPECT_EQ(f.exit_code(), -1);
    EXPECT_EQ(WEXITSTATUS(f.wait_status(31 << 8)), 31);
    // The shell went away before reporting (the caller hung up): not a success.
    EnterFilter g("__libct_begin_" + kNonce, "__libct_end_" + kNonce + ":");
    shown(g, "__libct_begin_" + kNonce + "\r\nhalf", 3);
    EXPECT_EQ(WEXITSTATUS(g.wait_status(0)), 255);
    // Only the last kKeep bytes before a marker that never came are kept.
    EnterFilter h("__libct_begin_" + kNonce, "__libct_end_" + kNonce + ":");
    std::string lots(EnterFilter::kKeep + 100, 'a');
    lots.back() = 'z';
    std::string seen = shown(h, lots, 1000);
    EXPECT_EQ(seen.size(), EnterFilter::kKeep);
    EXPECT_EQ(seen.back(), 'z');
}
