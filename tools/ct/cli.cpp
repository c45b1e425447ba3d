#include "cli.hpp"

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <iostream>

namespace ct::cli {

Session &Context::session() {
    if (!session_) session_ = Session::open(connect);
    return *session_;
}

bool parse(Context &ctx, po::options_description &desc,
           const po::positional_options_description &pos, po::variables_map &vm,
           const char *synopsis, const char *summary) {
    // clang-format off
    desc.add_options()
        ("connect,c", po::value(&ctx.connect), "backend URI (default: $CT_CONNECT, else linux:///)")
        ("help,h", po::bool_switch(), "show this help");
    // clang-format on
    try {
        po::store(po::command_line_parser(ctx.args).options(desc).positional(pos).run(), vm);
        // --help before notify(): notify() complains about missing required options, which
        // `ct start --help` rightly leaves out.
        if (vm.count("help") && vm["help"].as<bool>()) {
            std::cout << "Usage: ct " << synopsis << "\n\n" << summary << "\n\n" << desc;
            return false;
        }
        po::notify(vm);
    } catch (const po::error &e) {
        throw UsageError(e.what());
    }
    return true;
}

int parse_signal(const std::string &text) {
    if (text.empty()) throw UsageError("empty signal");
    if (text.find_first_not_of("0123456789") == std::string::npos) {
        std::string digits = text.substr(std::min(text.find_first_not_of('0'), text.size() - 1));
        int n = digits.size() <= 2 ? std::stoi(digits) : 0;  // NSIG is 65
        if (n <= 0 || n >= NSIG)
            throw UsageError("signal " + text + " is out of range (1.." + std::to_string(NSIG - 1) +
                             ")");
        return n;
    }
    std::string name = text;
    for (auto &c : name) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
    if (name.rfind("SIG", 0) == 0) name = name.substr(3);
    for (int s = 1; s < NSIG; ++s)
        if (const char *abbrev = sigabbrev_np(s); abbrev && name == abbrev) return s;
    if (name.rfind("RTMIN+", 0) == 0) {
        std::string n = name.substr(6);
        int max = SIGRTMAX - SIGRTMIN;
        if (n.empty() || n.size() > 2 || n.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(n) > max)
            throw UsageError("signal " + text + " is out of range (RTMIN+0..RTMIN+" +
                             std::to_string(max) + ")");
        return SIGRTMIN + std::stoi(n);
    }
    throw UsageError("'" + text + "' is not a signal (examples: TERM, SIGKILL, 9)");
}

std::string signal_name(int sig) {
    const char *a = sigabbrev_np(sig);
    return a ? std::string("SIG") + a : "signal " + std::to_string(sig);
}

int64_t parse_count(const std::string &text, const std::string &what, int64_t min, int64_t max) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        throw UsageError(what + ": '" + text + "' is not a non-negative number");
    // Leading zeros do not make a number larger: compare digits only beyond them.
    size_t first = std::min(text.find_first_not_of('0'), text.size() - 1);
    int64_t v = text.size() - first > 18 ? INT64_MAX : std::stoll(text.substr(first));
    if (v < min || v > max)
        throw UsageError(what + ": '" + text + "' is out of range (" + std::to_string(min) + ".." +
                         std::to_string(max) + ")");
    return v;
}

uint32_t parse_id(const std::string &text, const std::string &what) {
    // "-1" is the usual spelling of (uid_t)-1: an id out of range, like 4294967295.
    if (!text.empty() && text[0] == '-')
        throw UsageError(what + ": '" + text + "' is out of range (0..4294967294)");
    return static_cast<uint32_t>(parse_count(text, what, 0, 4294967294));
}

int64_t check_pid_option(int64_t pid) {
    if (pid < 1 || pid > 4194304)
        throw UsageError("--pid " + std::to_string(pid) + ": not a process id (1..4194304)");
    return pid;
}

std::chrono::milliseconds parse_timeout(const std::string &text, const std::string &option) {
    char *end = nullptr;
    errno = 0;
    double s = text.empty() ? -1 : std::strtod(text.c_str(), &end);
    // A billion seconds (31 years) is "for ever" enough, and keeps deadlines far from overflow.
    if (errno || (end && *end) || !std::isfinite(s) || s < 0 || s > 1e9)
        throw UsageError(option + " '" + text + "': not a number of seconds in 0..1000000000");
    return std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
}

int64_t parse_size_option(const std::string &text, const std::string &option) {
    try {
        return parse_size(text, option);
    } catch (const Error &e) {
        throw UsageError(e.what());
    }
}

namespace {

void check_limit_option(const std::string &option, const std::string &value,
                        const Resources &alone) {
    try {
        validate(alone);
    } catch (const Error &e) {
        // "invalid spec: <field>: <why>": the option stands for the field.
        std::string msg = e.what();
        auto field_end = msg.find(": ", msg.find(": ") + 2);
        std::string why = field_end == std::string::npos ? msg : msg.substr(field_end + 2);
        throw UsageError(option + " '" + value + "': " + why);
    }
}

}  // namespace

void apply_limit_options(Resources &r, const std::string &memory, const std::string &memory_swap,
                         const std::optional<int64_t> &pids, const std::optional<int64_t> &shares,
                         const std::optional<int64_t> &quota, const std::optional<int64_t> &period,
                         const std::string &cpus) {
    // A negative number would wrap to a huge one in the unsigned fields.
    for (const auto &[option, v] : {std::pair{"--cpu-shares", &shares}, {"--cpu-period", &period}})
        if (*v && **v < 0)
            throw UsageError(std::string(option) + " '" + std::to_string(**v) +
                             "': must not be negative");
    // Sets the field in `r`, after checking it alone.
    auto set = [&](const char *option, const std::string &value, const auto &assign) {
        Resources alone;
        assign(alone);
        check_limit_option(option, value, alone);
        assign(r);
    };
    if (!memory.empty()) {
        int64_t v = parse_size_option(memory, "--memory");
        set("--memory", memory, [&](Resources &x) { x.memory = v; });
    }
    if (!memory_swap.empty()) {
        int64_t v = parse_size_option(memory_swap, "--memory-swap");
        set("--memory-swap", memory_swap, [&](Resources &x) { x.memory_swap = v; });
    }
    if (pids) set("--pids", std::to_string(*pids), [&](Resources &x) { x.pids = pids; });
    if (shares)
        set("--cpu-shares", std::to_string(*shares),
            [&](Resources &x) { x.cpu.shares = static_cast<uint64_t>(*shares); });
    if (quota)
        set("--cpu-quota", std::to_string(*quota), [&](Resources &x) { x.cpu.quota_us = quota; });
    if (period)
        set("--cpu-period", std::to_string(*period),
            [&](Resources &x) { x.cpu.period_us = static_cast<uint64_t>(*period); });
    if (!cpus.empty()) set("--cpuset-cpus", cpus, [&](Resources &x) { x.cpu.cpus = cpus; });
}

std::string format_bytes(int64_t b) {
    if (b < 0) return "unlimited";
    static const char *kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(b);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", v, kUnits[u]);
    return buf;
}

std::string format_time(int64_t t) {
    if (t <= 0) return "-";
    time_t tt = static_cast<time_t>(t);
    struct tm tm;
    localtime_r(&tt, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

void ProcessOptions::add_to(po::options_description &desc) {
    // clang-format off
    desc.add_options()
        ("env,e", po::value(&env)->composing(), "KEY=VALUE environment variable (repeatable)")
        ("cwd,w", po::value(&cwd), "working directory inside the container")
        ("user,u", po::value(&user), "UID[:GID] or NAME[:GROUP] (from the container's /etc/passwd) to run as")
        ("cap-add", po::value(&cap_add)->composing(), "add capabilities to the default set, comma separated (net_admin, CAP_SYS_PTRACE, all) (repeatable)")
        ("cap-drop", po::value(&cap_drop)->composing(), "take capabilities out of the default set, comma separated (repeatable)")
        ("cap", po::value(&caps), "capabilities, comma separated (CAP_NET_ADMIN or net_admin, all): exactly these, in every set, instead of the default set")
        ("tty,t", po::bool_switch(&tty), "give the command a terminal (pty)");
    // clang-format on
}

void ProcessOptions::apply(ProcessSpec &p) const {
    for (const auto &e : env) {
        auto eq = e.find('=');
        if (eq == std::string::npos || eq == 0)
            throw UsageError("--env '" + e + "': expected KEY=VALUE");
        std::string key = e.substr(0, eq + 1);
        std::erase_if(p.env, [&](const std::string &x) { return x.rfind(key, 0) == 0; });
        p.env.push_back(e);
    }
    if (!cwd.empty()) p.cwd = cwd;
    if (!user.empty()) {
        auto colon = user.find(':');
        std::string u = user.substr(0, colon);
        std::string g = colon == std::string::npos ? "" : user.substr(colon + 1);
        // Signed numbers too: "-1" means an id, (uid_t)-1, which parse_id() refuses.
        auto numeric = [](const std::string &x) {
            size_t sign = !x.empty() && (x[0] == '-' || x[0] == '+') ? 1 : 0;
            return x.size() > sign && x.find_first_not_of("0123456789", sign) == std::string::npos;
        };
        // An empty side would silently mean root: "-u :100", "-u 100:".
        if (u.empty() || (colon != std::string::npos && g.empty()))
            throw UsageError("--user '" + user + "': expected UID[:GID] or NAME[:GROUP]");
        p.user = UserSpec{};
        if (numeric(u)) {
            p.user.uid = parse_id(u, "--user uid");
            if (colon == std::string::npos) p.user.gid = p.user.uid;
        } else {
            p.user.name = u;  // its gid and groups come from the container's files
        }
        if (numeric(g))
            p.user.gid = parse_id(g, "--user gid");
        else if (!g.empty())
            p.user.group = g;
    }
    auto names = [](const std::vector<std::string> &lists) {
        std::vector<std::string> out;
        for (const auto &l : lists) {
            std::string cur;
            for (char c : l + ",") {
                if (c != ',') {
                    cur += c;
                } else if (!cur.empty()) {
                    out.push_back(cur);
                    cur.clear();
                }
            }
        }
        return out;
    };
    if (!caps.empty()) {
        if (!cap_add.empty() || !cap_drop.empty())
            throw UsageError(
                "--cap gives the exact set; --cap-add/--cap-drop change the default "
                "set: use one or the other");
        p.capabilities = Capabilities::all_sets(names({caps}));
        p.capabilities_add.clear();
        p.capabilities_drop.clear();
    }
    if (!cap_add.empty() || !cap_drop.empty()) {
        if (p.capabilities)
            throw UsageError(
                "--cap-add/--cap-drop change the default set, but the spec gives "
                "exact capability sets (process.capabilities): use --cap instead");
        for (const auto &c : names(cap_add)) p.capabilities_add.push_back(c);
        for (const auto &c : names(cap_drop)) p.capabilities_drop.push_back(c);
    }
    if (tty) {
        p.terminal = true;
        // Programs on a terminal need to know its type; the caller's is the one they talk to.
        bool has_term = std::any_of(p.env.begin(), p.env.end(),
                                    [](const std::string &x) { return x.rfind("TERM=", 0) == 0; });
        const char *term = std::getenv("TERM");
        if (!has_term) p.env.push_back(std::string("TERM=") + (term && *term ? term : "xterm"));
    }
}

int exit_code_for(const ExitStatus &st) {
    return st.shell_code();
}

int exit_code_for(const Error &e) {
    if (e.code() == Errc::exec) return e.sys_errno() == ENOENT ? kNotFound : kCannotExec;
    return kRunFailed;
}

void report(const std::exception &e) {
    std::cerr << "ct: " << e.what() << "\n";
}

}  // namespace ct::cli
