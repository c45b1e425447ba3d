// What a new user meets first (issue 14): every message is ct's own and names what is wrong,
// `ct help`, did-you-mean, several names at once, signals by any name, the configuration
// files, and the small defaults (hostname, terminal checks, one line per container).
#include <gtest/gtest.h>

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_fixture.hpp"

namespace ct::test {
namespace {

bool has(const std::string &text, const std::string &what) {
    return text.find(what) != std::string::npos;
}

// Words of the option parser's own messages, which must never reach a user.
void expect_own_words(const CtResult &r, const std::string &line) {
    for (const char *leak : {"[ --", " arg\n", "positional", "stoi", "stol", "json.exception",
                             "required but missing", "unrecognised", "unrecognized"})
        EXPECT_FALSE(has(r.err, leak)) << line << ": " << r.err;
}

const std::vector<std::string> kNoBackend = {"CT_CONNECT=nosuch:///", "CT_CONFIG=/nonexistent"};

TEST(CtSurface, UsageErrorsAreInCtsWordsAndNameTheArgument) {
    struct Case {
        std::vector<std::string> args;
        std::string says;
    };
    const std::vector<Case> cases = {
        {{"exec"}, "missing the container NAME (usage: ct exec [OPTIONS] NAME"},
        {{"exec", "web1"}, "missing the COMMAND to run"},
        {{"info", "--name", "x"}, "unknown option '--name'"},
        {{"kill", "x", "RTMIN+x"}, "signal RTMIN+x"},
        {{"kill", "x", "RTMAX-99"}, "RTMAX-99"},
        {{"kill", "x", "SIGNOPE"}, "'SIGNOPE' is not a signal (examples: TERM"},
        {{"list", "--jsn"}, "unknown option '--jsn'; did you mean '--json'?"},
        {{"list", "--json=yes"}, "option '--json' takes no value"},
        {{"run", "--rootfs"}, "option '--rootfs' needs a value: --rootfs DIR"},
        {{"run", "--memory", "64Q", "--rootfs", "/", "true"}, "--memory"},
        {{"run", "-i", "--rootfs", "/", "true"}, "stdin always reaches the command"},
        {{"start", "a", "--", "x"}, "unexpected '--': ct start runs no command"},
        {{"pause"}, "missing the container NAME"},
        {{"help", "strat"}, "did you mean 'start'?"},
        {{"strat"}, "unknown command 'strat'; did you mean 'start'?"},
        {{"stop", "web1"}, "unknown command 'stop'; did you mean 'kill'?"},
        {{"rm", "web1"}, "did you mean 'destroy'?"},
        {{"ls"}, "did you mean 'list'?"},
        {{"--bogus", "list"}, "unknown option '--bogus' before the command"},
    };
    for (const auto &c : cases) {
        auto r = run_ct(c.args, kNoBackend);
        std::string line = "ct";
        for (const auto &a : c.args) line += " " + a;
        EXPECT_EQ(r.code, 2) << line << "\n" << r.text();
        EXPECT_TRUE(has(r.err, c.says)) << line << ": wanted '" << c.says << "' in\n" << r.err;
        EXPECT_EQ(r.out, "") << line;
        expect_own_words(r, line);
    }
}

TEST(CtSurface, TheCommandStartsAtItsFirstWord) {
    // Past the operands, the first word is the command: no spec file "true", no option taken
    // from the command's own arguments. Reaching the (missing) backend shows parsing passed.
    for (std::vector<std::string> args : {std::vector<std::string>{"run", "--rootfs", "/", "true"},
                                          {"run", "--rootfs", "/", "ls", "-l", "--memory", "x"},
                                          {"exec", "web1", "ls", "-l"},
                                          {"exec", "web1", "--", "-weird-name"},
                                          {"create", "--rootfs", "/", "sh", "-c", "exit 3"}}) {
        auto r = run_ct(args, kNoBackend);
        EXPECT_TRUE(has(r.err, "no backend serves URI scheme 'nosuch'"))
            << args[0] << ": " << r.text();
        expect_own_words(r, args[0]);
    }
}

TEST(CtSurface, HelpCommandAndUsageLines) {
    auto top = run_ct({"help"});
    EXPECT_EQ(top.code, 0) << top.text();
    EXPECT_EQ(top.out, run_ct({"--help"}).out);
    auto self = run_ct({"help", "help"});
    EXPECT_EQ(self.code, 0) << self.text();
    EXPECT_EQ(self.out, top.out);
    for (const char *c : {"run", "exec", "kill", "list", "config"}) {
        auto h = run_ct({"help", c}, kNoBackend);
        EXPECT_EQ(h.code, 0) << c << ": " << h.text();
        EXPECT_EQ(h.out, run_ct({c, "--help"}, kNoBackend).out) << c;
        EXPECT_FALSE(has(h.out, "[ --")) << h.out;  // no parser-style option list
    }
    EXPECT_EQ(run_ct({"exec", "--help"})
                  .out.rfind("Usage: ct exec [OPTIONS] NAME [--] COMMAND [ARG...]\n", 0),
              0u);
    EXPECT_TRUE(has(run_ct({"kill", "--help"}).out, "Usage: ct kill [OPTIONS] NAME... [SIGNAL]"));
    // A two-letter long option is not shown as a short one.
    auto m = run_ct({"migrate", "--help"}).out;
    EXPECT_TRUE(has(m, "\n      --to URI ")) << m;
    // Positional operands are not listed as options.
    EXPECT_FALSE(has(run_ct({"info", "--help"}).out, "--name")) << "info takes names, not --name";
}

TEST(CtSurface, TerminalNeedsATerminal) {
    // stdin is a pipe here: -t is refused at once instead of hanging.
    auto r = run_ct({"run", "-t", "--rootfs", "/", "true"}, kNoBackend);
    EXPECT_EQ(r.code, 2) << r.text();
    EXPECT_TRUE(has(r.err, "-t needs a terminal, but stdin is not one")) << r.err;
    r = run_ct({"exec", "-t", "web1", "sh"}, kNoBackend);
    EXPECT_EQ(r.code, 2) << r.text();
    // A spec that asks for one: refused before any backend is reached, naming the field.
    std::string spec = "/tmp/ct-cli-terminal-" + std::to_string(getpid()) + ".yaml";
    std::ofstream(spec) << "name: t\nrootfs: /\nprocess: {args: [sh], terminal: true}\n";
    r = run_ct({"run", spec}, kNoBackend);
    std::filesystem::remove(spec);
    EXPECT_EQ(r.code, 125) << r.text();
    EXPECT_TRUE(has(r.err, "process.terminal")) << r.err;
    EXPECT_FALSE(has(r.err, "nosuch")) << "refused before opening a session: " << r.err;
}

TEST(CtSurface, CompletionCandidates) {
    auto words = [](std::vector<std::string> args) {
        args.insert(args.begin(), "__complete");
        auto r = run_ct(args, kNoBackend);
        EXPECT_EQ(r.code, 0) << r.text();
        return r.out;
    };
    EXPECT_TRUE(has(words({""}), "\nrun\n")) << "commands";
    EXPECT_TRUE(has(words({""}), "help\n")) << "and help";
    EXPECT_TRUE(has(words({"list", "--j"}), "--json\n")) << "options of the command";
    EXPECT_TRUE(has(words({"run", "--rootfs", ""}), "__dirs__")) << "a directory";
    EXPECT_EQ(words({"exec", "web1", "ls", ""}), "") << "the container's command: nothing";
    EXPECT_TRUE(has(words({"help", ""}), "checkpoint\n"));
    // The bash script asks the ct on PATH and filters by the word typed. A URI is one word
    // to ct, though bash splits its own words at ':': the candidate replaces only what follows
    // the last ':' (bash's current word).
    std::string script = "source " CT_TEST_COMPLETION
                         "\nCOMP_WORDS=(ct lis)\nCOMP_CWORD=1\n_ct\necho \"${COMPREPLY[*]}\"\n"
                         "COMP_LINE=\"ct kill --si\"\nCOMP_POINT=${#COMP_LINE}\n_ct\n"
                         "echo \"${COMPREPLY[*]}\"\n"
                         "COMP_LINE=\"ct -c linux:\"\nCOMP_POINT=${#COMP_LINE}\n_ct\n"
                         "echo \"${COMPREPLY[*]}\"\n";
    std::string dir = std::filesystem::path(ct_binary()).parent_path();
    std::string cmd =
        "PATH=" + dir + ":/usr/bin:/bin CT_CONNECT=nosuch:/// bash -c '" + script + "' 2>&1";
    std::string out;
    if (FILE *p = popen(cmd.c_str(), "r")) {
        char buf[256];
        while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
        EXPECT_EQ(pclose(p), 0) << out;
    }
    EXPECT_EQ(out, "list\n--signal\n///\n");
}

TEST(CtSurface, ZshCompletion) {
    // The zsh function, with compsys's compadd and _files stood in for (no interactive shell).
    if (::access("/usr/bin/zsh", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/zsh (Debian: zsh)";
    std::string zsh =
        "compadd() { [[ $1 == -a ]] && print -rl -- ${(P)2} }\n"
        "_files() { print -r -- \"files $*\" }\n"
        "source " CT_TEST_ZSH_COMPLETION
        " >/dev/null\n"
        "words=(ct lis); CURRENT=2; _ct | grep -x list\n"
        "words=(ct run --rootfs x); CURRENT=4; _ct\n";
    std::string zfile = "/tmp/ct-cli-zsh-" + std::to_string(getpid());
    std::ofstream(zfile) << zsh;
    std::string dir = std::filesystem::path(ct_binary()).parent_path();
    std::string cmd =
        "PATH=" + dir + ":/usr/bin:/bin CT_CONNECT=nosuch:/// /usr/bin/zsh -f " + zfile + " 2>&1";
    std::string out;
    if (FILE *p = popen(cmd.c_str(), "r")) {
        char buf[256];
        while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
        EXPECT_EQ(pclose(p), 0) << out;
    }
    std::filesystem::remove(zfile);
    EXPECT_EQ(out, "list\nfiles -/\n");
}

class CtConfig : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = "/tmp/ct-cli-config-" + std::to_string(getpid());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string write(const std::string &name, const std::string &text) {
        std::ofstream(dir_ + "/" + name) << text;
        return dir_ + "/" + name;
    }
    std::string dir_;
};

TEST_F(CtConfig, UriAliasesAndDefaultsWithTheirOrigin) {
    std::string sys = write("system.conf", "uri: nosuch-sys:///\n");
    std::string user = write("user.conf",
                             "# mine\nuri_aliases:\n  dev: nosuch-dev:///\n"
                             "defaults:\n  resources:\n    pids: 64\n");
    std::vector<std::string> env = {"CT_CONFIG=" + sys + ":" + user, "CT_CONNECT"};
    auto r = run_ct({"config"}, env);
    ASSERT_EQ(r.code, 0) << r.text();
    EXPECT_TRUE(has(r.out, "uri:         nosuch-sys:///  (" + sys + ":1)")) << r.out;
    EXPECT_TRUE(has(r.out, "dev = nosuch-dev:///  (" + user + ":3)")) << r.out;
    EXPECT_TRUE(has(r.out, "resources.pids: 64  (" + user + ":6)")) << r.out;
    EXPECT_FALSE(has(r.out, "\n  : ")) << "no empty entries: " << r.out;
    auto j = nlohmann::json::parse(run_ct({"config", "--json"}, env).out);
    EXPECT_EQ(j["uri"]["value"], "nosuch-sys:///");
    EXPECT_EQ(j["aliases"]["dev"]["value"], "nosuch-dev:///");
    EXPECT_EQ(j["defaults"]["resources"]["pids"], 64);

    // The configured URI is used; an alias is replaced by its URI; -c and CT_CONNECT win.
    EXPECT_TRUE(has(run_ct({"list"}, env).err, "URI scheme 'nosuch-sys'"));
    EXPECT_TRUE(has(run_ct({"-c", "dev", "list"}, env).err, "URI scheme 'nosuch-dev'"));
    env.push_back("CT_CONNECT=nosuch-env:///");
    EXPECT_TRUE(has(run_ct({"list"}, env).err, "URI scheme 'nosuch-env'"));
    r = run_ct({"config"}, env);
    EXPECT_TRUE(has(r.out, "uri:         nosuch-env:///  (CT_CONNECT)")) << r.out;
}

TEST_F(CtConfig, ABrokenFileIsNamedWithItsLine) {
    std::string bad = write("bad.conf", "uri: linux:///\nuri_aliasses: {}\n");
    auto r = run_ct({"list"}, {"CT_CONFIG=" + bad, "CT_CONNECT"});
    EXPECT_EQ(r.code, 1) << r.text();
    EXPECT_TRUE(has(r.err, bad + ":2")) << r.err;
    EXPECT_TRUE(has(r.err, "uri_aliasses")) << r.err;
    // What needs no configuration still works.
    EXPECT_EQ(run_ct({"--help"}, {"CT_CONFIG=" + bad}).code, 0);
}

using CtFirstContact = CliTest;

TEST_F(CtFirstContact, SeveralNamesAtOnce) {
    for (const char *n : {"m1", "m2"})
        ASSERT_EQ(ct({"run", "-d", "--name", n, "--rootfs", rootfs_, "sleep", "100"}).code, 0);
    EXPECT_EQ(ct({"pause", "m1", "m2"}).code, 0);
    auto j = nlohmann::json::parse(ct({"list", "--json"}).out);
    for (const auto &c : j) EXPECT_EQ(c["state"], "paused") << c;
    EXPECT_EQ(ct({"resume", "m1", "m2"}).code, 0);
    auto info = ct({"info", "m1", "m2", "--json"});
    EXPECT_EQ(info.code, 0) << info.text();
    EXPECT_EQ(ct({"kill", "m1", "m2", "KILL"}).code, 0);
    auto r = ct({"wait", "m1", "m2"});
    EXPECT_EQ(r.out, "137\n137\n") << r.text();
    // One that fails does not stop the others; the exit code says something failed.
    r = ct({"destroy", "m1", "nosuch", "m2"});
    EXPECT_EQ(r.code, 1) << r.text();
    EXPECT_TRUE(has(r.err, "nosuch")) << r.err;
    EXPECT_EQ(ct({"list", "-q"}).out, "");
}

TEST_F(CtFirstContact, SignalsByNameNumberRealtimeAndZero) {
    // RTMIN+3 reaches a handler of it in init; 0 only checks that init runs.
    ASSERT_EQ(
        ct({"run", "-d", "--name", "rt", "--rootfs", rootfs_, "sh", "-c",
            "trap 'exit 7' " + std::to_string(SIGRTMIN + 3) + "; while :; do sleep 0.1; done"})
            .code,
        0);
    EXPECT_EQ(ct({"kill", "rt", "0"}).code, 0);
    EXPECT_EQ(ct({"kill", "rt", "RTMIN+3"}).code, 0);
    EXPECT_EQ(ct({"wait", "rt"}).out, "7\n");
    auto r = ct({"kill", "rt", "0"});
    EXPECT_EQ(r.code, 1) << "init no longer runs: " << r.text();
    EXPECT_EQ(ct({"destroy", "rt"}).code, 0);
}

TEST_F(CtFirstContact, CompletionOffersContainersAndSignals) {
    ASSERT_EQ(ct({"run", "-d", "--name", "cmp1", "--rootfs", rootfs_, "sleep", "100"}).code, 0);
    auto r = ct({"__complete", "kill", ""});
    EXPECT_TRUE(has("\n" + r.out, "\ncmp1\n")) << r.text();
    r = ct({"__complete", "kill", "cmp1", ""});
    EXPECT_TRUE(has(r.out, "TERM\n") && has(r.out, "RTMIN+1\n")) << r.text();
    EXPECT_EQ(ct({"destroy", "--force", "cmp1"}).code, 0);
}

// Runs `ct ARGS...` with a terminal of the test's own as its stdin, stdout and stderr, as
// in an interactive shell; returns what the terminal received, and sets `code`.
std::string under_terminal(const std::vector<std::string> &args, int &code) {
    int master = -1, slave = -1;
    if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) return "openpty failed";
    std::vector<std::string> argv = {ct_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char *> cargv;
    for (auto &a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::setsid();
        ::ioctl(slave, TIOCSCTTY, 0);
        ::dup2(slave, 0);
        ::dup2(slave, 1);
        ::dup2(slave, 2);
        ::execv(cargv[0], cargv.data());
        ::_exit(127);
    }
    ::close(slave);
    std::string out;
    char buf[256];
    for (;;) {
        struct pollfd p {
            master, POLLIN, 0
        };
        if (::poll(&p, 1, 20000) <= 0) break;
        ssize_t n = ::read(master, buf, sizeof buf);
        if (n <= 0) break;  // EIO: ct and its children closed the terminal
        out.append(buf, static_cast<size_t>(n));
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(master);
    code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return out;
}

TEST_F(CtFirstContact, TerminalOutputHasOneCarriageReturn) {
    int code = -1;
    auto out = under_terminal(
        {"-c", uri(), "run", "-t", "--rootfs", rootfs_, "sh", "-c", "echo a; echo b"}, code);
    EXPECT_EQ(code, 0) << out;
    EXPECT_EQ(out, "a\r\nb\r\n");
}

TEST_F(CtFirstContact, MigrateOnATerminalIsOneUpdatingLine) {
    ASSERT_EQ(ct({"run", "-d", "--name", "mt", "--rootfs", rootfs_, "sleep", "1000"}).code, 0);
    std::string other =
        "linux:///?root=" + state_root_ + "-to&cgroup_parent=" + cgroup_parent_ + "-to";
    int code = -1;
    auto out = under_terminal({"-c", uri(), "migrate", "mt", "--to", other}, code);
    if (code != 0 && has(out, "criu")) {
        ct({"destroy", "--force", "mt"});
        GTEST_SKIP() << "CRIU cannot migrate here: " << out;
    }
    EXPECT_EQ(code, 0) << out;
    // Each phase once, each rewriting the line ("\r... \033[K"), one newline at the end.
    for (const char *phase : {"freeze", "dump", "transfer", "restore", "done in"}) {
        std::string at = "\rmigrate mt: " + std::string(phase);
        EXPECT_TRUE(has(out, at)) << phase << " in " << out;
        EXPECT_EQ(out.find(at), out.rfind(at)) << phase << " shown more than once: " << out;
    }
    EXPECT_EQ(out.find('\n'), out.size() - 1) << out;
    EXPECT_EQ(run_ct({"-c", other, "destroy", "--force", "mt"}).code, 0);
    std::filesystem::remove_all(state_root_ + "-to");
    for (const auto &h : std::filesystem::directory_iterator("/sys/fs/cgroup")) {
        std::error_code ec;
        std::filesystem::remove(h.path() / (cgroup_parent_ + "-to"), ec);
        EXPECT_FALSE(std::filesystem::exists(h.path() / (cgroup_parent_ + "-to"))) << h.path();
    }
}

TEST_F(CtFirstContact, HostnameIsTheNameAndArgumentsAreBytes) {
    auto r = ct({"run", "--name", "hn1", "--rootfs", rootfs_, "hostname"});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "hn1\n");
    // An argument that is not UTF-8 arrives byte for byte.
    r = ct({"run", "--rootfs", rootfs_, "-e", "V=\xfe", "--", "sh", "-c",
            "printf %s \"$1$V\" | od -An -tx1", "x", "a\xff"});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_TRUE(has(r.out, "61 ff fe")) << r.out;
    expect_own_words(r, "non-UTF-8");
}

TEST_F(CtFirstContact, ListIsOneLinePerContainerAndInfoShowsTheSpec) {
    ASSERT_EQ(ct({"run", "-d", "--name", "nl", "--rootfs", rootfs_, "-e", "GREETING=hi",
                  "--cap-add", "net_admin", "--", "sh", "-c", "sleep 100\necho never"})
                  .code,
              0);
    auto r = ct({"list"});
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;
    EXPECT_TRUE(has(r.out.substr(0, r.out.find('\n')), "ADDRESS")) << r.out;
    EXPECT_TRUE(has(r.out, "sleep 100\\necho never")) << r.out;
    r = ct({"info", "nl"});
    for (const char *what : {"GREETING=hi", "CAP_NET_ADMIN", "security.seccomp", "hostname: nl"})
        EXPECT_TRUE(has(r.out, what)) << what << " in\n" << r.out;
    EXPECT_EQ(ct({"destroy", "--force", "nl"}).code, 0);
}

TEST_F(CtFirstContact, ListShowsTheAddressAndInfoTheWholeSpec) {
    auto r = ct({"run",           "-d",
                 "--name",        "ad",
                 "--rootfs",      rootfs_,
                 "--memory",      "64M",
                 "--memory-swap", "128M",
                 "--cpuset-cpus", "0",
                 "--uid-map",     "0:100000:65536",
                 "--gid-map",     "0:100000:65536",
                 "--annotation",  "org.example=yes",
                 "--net",         "veth:eth0,addr=10.9.0.2/24,gw=10.9.0.1",
                 "sleep",         "100"});
    ASSERT_EQ(r.code, 0) << r.text();
    r = ct({"list"});
    EXPECT_TRUE(has(r.out, "  10.9.0.2  sleep 100\n")) << r.out;
    r = ct({"info", "ad"});
    for (const char *what : {"memory_swap: 128.0 MiB (134217728)", "cpus: 0",
                             "uid_map:", "gid_map:", "host_id:      100000", "gateway:   10.9.0.1",
                             "org.example: yes", "addresses: 10.9.0.2/24"})
        EXPECT_TRUE(has(r.out, what)) << what << " in\n" << r.out;
    EXPECT_EQ(ct({"destroy", "--force", "ad"}).code, 0);
}

TEST_F(CtFirstContact, ConfigDefaultsApplyBelowTheOptions) {
    std::string conf = write_file("ct.conf",
                                  "defaults:\n  resources: {pids: 64, memory: 32M}\n"
                                  "  process: {env: [TZ=UTC, GREETING=from-conf]}\n");
    std::vector<std::string> env = {"CT_CONFIG=" + conf};
    auto r = ct({"run", "--name", "df", "--rootfs", rootfs_, "-e", "GREETING=from-option", "--pids",
                 "32", "--keep", "sh", "-c", "echo $TZ $GREETING"},
                env);
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "UTC from-option\n") << "env merged by name, the option wins";
    auto info = nlohmann::json::parse(ct({"info", "df", "--json"}).out);
    EXPECT_EQ(info["spec"]["resources"]["pids"], 32) << "the option wins";
    EXPECT_EQ(info["spec"]["resources"]["memory"], 32 << 20) << "the default fills in";
    EXPECT_EQ(ct({"destroy", "df"}).code, 0);
    // Without the file, none of it.
    r = ct({"run", "--rootfs", rootfs_, "sh", "-c", "echo ${TZ:-none}"}, {"CT_CONFIG=/dev/null"});
    EXPECT_EQ(r.out, "none\n") << r.text();
}

TEST_F(CtFirstContact, VerboseShowsWhatTheBackendDoes) {
    auto r = ct({"-v", "run", "--name", "vb", "--rootfs", rootfs_, "true"});
    EXPECT_EQ(r.code, 0) << r.text();
    for (const char *what : {"open session", "create container 'vb'", "start container 'vb'",
                             "destroy container 'vb'"})
        EXPECT_TRUE(has(r.err, what)) << what << " in\n" << r.err;
    r = ct({"--debug", "run", "--name", "vb", "--rootfs", rootfs_, "true"});
    EXPECT_TRUE(has(r.err, "\"name\":\"vb\"")) << "--debug shows the spec sent:\n" << r.err;
    r = ct({"run", "--name", "vb", "--rootfs", rootfs_, "true"});
    EXPECT_EQ(r.err, "") << "quiet without -v";
}

TEST_F(CtFirstContact, CheckpointRestoreMigrateShowTheirProgress) {
    ASSERT_EQ(ct({"run", "-d", "--name", "ck", "--rootfs", rootfs_, "sleep", "1000"}).code, 0);
    std::string d1 = scratch_ + "/ck1", d2 = scratch_ + "/ck2";
    // On a pipe, without --progress: nothing but the outcome.
    auto r = ct({"checkpoint", "ck", "--dir", d1, "--leave-running"});
    if (r.code != 0) {
        ct({"destroy", "--force", "ck"});
        GTEST_SKIP() << "CRIU cannot checkpoint here: " << r.err;
    }
    EXPECT_EQ(r.out + r.err, "");
    // --progress: a line per phase on stderr, then the summary.
    r = ct({"checkpoint", "ck", "--dir", d2, "--leave-running", "--progress"});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_TRUE(has(r.err, "checkpoint ck: dump (")) << r.err;
    EXPECT_TRUE(has(r.err, "\ncheckpoint ck: done in ")) << r.err;
    EXPECT_TRUE(has(r.err, " of images\n")) << r.err;
    EXPECT_FALSE(has(r.err, "\r") || has(r.err, "\033")) << "no terminal codes on a pipe";
    // --json: JSON lines on stdout, the last one "done" with the images' size.
    EXPECT_EQ(ct({"destroy", "--force", "ck"}).code, 0);
    r = ct({"restore", "ck", "--dir", d2, "--json"});
    ASSERT_EQ(r.code, 0) << r.text();
    std::istringstream lines(r.out);
    std::vector<nlohmann::json> events;
    for (std::string l; std::getline(lines, l);) events.push_back(nlohmann::json::parse(l));
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.front()["event"], "phase");
    EXPECT_EQ(events.back()["event"], "done");
    EXPECT_EQ(events.back()["operation"], "restore");
    EXPECT_GT(events.back()["bytes"].get<int64_t>(), 0);
    EXPECT_EQ(nlohmann::json::parse(ct({"info", "ck", "--json"}).out)["state"], "running");
    // migrate: its phases, the transfer with its size.
    // Another state root and cgroup parent of this host (the cgroups of both exist at once).
    std::string other =
        "linux:///?root=" + state_root_ + "-to&cgroup_parent=" + cgroup_parent_ + "-to";
    r = ct({"migrate", "ck", "--to", other, "--progress"});
    EXPECT_EQ(r.code, 0) << r.text();
    for (const char *phase : {"migrate ck: dump", "migrate ck: transfer ", "migrate ck: restore",
                              "migrate ck: done in "})
        EXPECT_TRUE(has(r.err, phase)) << phase << " in\n" << r.err;
    EXPECT_EQ(run_ct({"-c", other, "destroy", "--force", "ck"}).code, 0);
    EXPECT_EQ(ct({"list", "-q"}).out, "") << "moved, not copied";
    std::filesystem::remove_all(state_root_ + "-to");
    for (const auto &h : std::filesystem::directory_iterator("/sys/fs/cgroup")) {
        std::error_code ec;
        std::filesystem::remove(h.path() / (cgroup_parent_ + "-to"), ec);  // empty, or absent
        EXPECT_FALSE(std::filesystem::exists(h.path() / (cgroup_parent_ + "-to")))
            << h.path() << ": a cgroup left";
    }
}

// restore --spec: the images' container under another rootfs; a spec that cannot describe
// it is refused naming the field, and the container stays as it was.
TEST_F(CtFirstContact, RestoreUnderASpecFile) {
    std::string root = scratch_ + "/new-root";
    ASSERT_EQ(std::system(("cp -a " + rootfs_ + " " + root).c_str()), 0);
    ASSERT_EQ(ct({"run", "-d", "--name", "sp", "--rootfs", rootfs_, "sleep", "1000"}).code, 0);
    std::string dir = scratch_ + "/sp";
    auto r = ct({"checkpoint", "sp", "--dir", dir});
    if (r.code != 0) {
        ct({"destroy", "--force", "sp"});
        GTEST_SKIP() << "CRIU cannot checkpoint here: " << r.err;
    }
    std::string bad = scratch_ + "/bad.yaml", good = scratch_ + "/good.yaml";
    std::ofstream(bad) << "rootfs: " << root << "\nmounts:\n  - {source: /tmp, target: /x}\n";
    std::ofstream(good) << "rootfs: " << root << "\n";
    r = ct({"restore", "sp", "--dir", dir, "--spec", bad});
    EXPECT_EQ(r.code, 1) << r.text();
    EXPECT_TRUE(has(r.err, "mounts[0] (/x)")) << r.err;
    EXPECT_EQ(nlohmann::json::parse(ct({"info", "sp", "--json"}).out)["state"], "stopped");
    r = ct({"restore", "sp", "-D", dir, "-f", good});
    ASSERT_EQ(r.code, 0) << r.text();
    auto info = nlohmann::json::parse(ct({"info", "sp", "--json"}).out);
    EXPECT_EQ(info["state"], "running");
    EXPECT_EQ(info["spec"]["rootfs"], root);
    EXPECT_EQ(ct({"destroy", "--force", "sp"}).code, 0);
}

// A SIGTERM (or ^C) while the container is frozen for its dump does not end ct there: the
// checkpoint finishes, the container runs on, and only then does ct end as the signal says. A
// checkpoint killed outright (SIGKILL) leaves images a restore refuses as incomplete.
TEST_F(CtFirstContact, ASignalDuringACheckpointDoesNotLeaveTheContainerFrozen) {
    ASSERT_EQ(ct({"run", "-d", "--name", "sg", "--rootfs", rootfs_, "sleep", "1000"}).code, 0);
    auto state = [&] { return nlohmann::json::parse(ct({"info", "sg", "--json"}).out)["state"]; };
    // Step 1 is "checkpoint: frozen" (CT_FAULT_TRACE=1 lists the steps).
    std::string dir = scratch_ + "/term";
    auto r = ct({"checkpoint", "sg", "--dir", dir, "--leave-running"},
                {"CT_FAULT_STEP=1", "CT_FAULT_SIGNAL=15"});
    if (r.code == 1) {  // the dump itself failed
        ct({"destroy", "--force", "sg"});
        GTEST_SKIP() << "CRIU cannot checkpoint here: " << r.err;
    }
    EXPECT_EQ(r.code, 128 + SIGTERM) << r.text();
    EXPECT_TRUE(has(r.err, "SIGTERM came during the checkpoint of container 'sg'")) << r.err;
    EXPECT_EQ(state(), "running");
    EXPECT_TRUE(std::filesystem::exists(dir + "/ct-checkpoint.json"));

    std::string killed = scratch_ + "/killed";
    r = ct({"checkpoint", "sg", "--dir", killed, "--leave-running"},
           {"CT_FAULT_STEP=1", "CT_FAULT_SIGNAL=9"});
    EXPECT_EQ(r.code, 128 + SIGKILL) << r.text();
    EXPECT_EQ(state(), "paused");  // as the crash table says: `ct resume` goes on
    EXPECT_EQ(ct({"resume", "sg"}).code, 0);
    r = ct({"restore", "sg2", "--dir", killed});
    EXPECT_EQ(r.code, 1) << r.text();
    EXPECT_TRUE(has(r.err, "holds an interrupted checkpoint")) << r.err;
    EXPECT_NE(ct({"info", "sg2"}).code, 0);  // nothing made of it
    r = ct({"checkpoint", "sg", "--dir", killed});
    EXPECT_TRUE(has(r.err, "is not empty (it holds an interrupted checkpoint)")) << r.err;
    EXPECT_EQ(ct({"destroy", "--force", "sg"}).code, 0);
}

}  // namespace
}  // namespace ct::test
