#include "cli.hpp"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "ct/json.hpp"
#include "trace.hpp"

namespace ct::cli {

Session &Context::session() {
    if (!session_) {
        Setting u = uri();
        session_ = step("open session " + u.value + " (" + u.origin + ")",
                        [&] { return Session::open(u.value); });
        const auto &b = session_->backend();
        trace(1, "backend " + b.name + " " + b.version + " (" + b.path + ")");
    }
    return *session_;
}

Setting Context::uri() {
    Setting given;
    if (!connect.empty())
        given = {connect, "-c"};
    else if (const char *e = std::getenv("CT_CONNECT"); e && *e)
        given = {e, "CT_CONNECT"};
    return config().resolve(given);
}

const Config &Context::config() {
    if (!config_) config_ = Config::load();
    return *config_;
}

const Command *find_command(const std::string &name) {
    for (const auto &c : commands())
        if (name == c.name) return &c;
    return nullptr;
}

namespace {

std::string upper(std::string s) {
    for (auto &c : s) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
    return s;
}

// RTMIN+N / RTMAX-N (also bare RTMIN, RTMAX), as kill(1) takes them: glibc's SIGRTMIN is the
// first one it leaves to programs.
std::optional<int> realtime(const std::string &text, const std::string &name) {
    int span = SIGRTMAX - SIGRTMIN;
    for (const char *base : {"RTMIN", "RTMAX"}) {
        if (name.rfind(base, 0) != 0) continue;
        bool min = base[4] == 'N';
        std::string rest = name.substr(5);
        if (rest.empty()) return min ? SIGRTMIN : SIGRTMAX;
        std::string form = min ? "RTMIN+N" : "RTMAX-N";
        if (rest[0] != (min ? '+' : '-') || rest.size() < 2 || rest.size() > 3 ||
            rest.find_first_not_of("0123456789", 1) != std::string::npos ||
            std::stoi(rest.substr(1)) > span)
            throw UsageError("signal " + text + " is out of range (" + form + " with N in 0.." +
                             std::to_string(span) + ")");
        int n = std::stoi(rest.substr(1));
        return min ? SIGRTMIN + n : SIGRTMAX - n;
    }
    return std::nullopt;
}

}  // namespace

int parse_signal(const std::string &text, bool allow_zero) {
    if (text.empty()) throw UsageError("empty signal");
    if (text.find_first_not_of("0123456789") == std::string::npos) {
        std::string digits = text.substr(std::min(text.find_first_not_of('0'), text.size() - 1));
        int n = digits.size() <= 2 ? std::stoi(digits) : -1;  // NSIG is 65
        if (n < (allow_zero ? 0 : 1) || n >= NSIG)
            throw UsageError("signal " + text + " is out of range (" + (allow_zero ? "0" : "1") +
                             ".." + std::to_string(NSIG - 1) + ")");
        return n;
    }
    std::string name = upper(text);
    if (name.rfind("SIG", 0) == 0) name = name.substr(3);
    for (int s = 1; s < NSIG; ++s)
        if (const char *abbrev = sigabbrev_np(s); abbrev && name == abbrev) return s;
    if (auto rt = realtime(text, name)) return *rt;
    throw UsageError("'" + text + "' is not a signal (examples: TERM, SIGKILL, 9, RTMIN+3)");
}

bool looks_like_signal(const std::string &text) {
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) return true;
    // "SIGNOPE": meant as a signal (a mistyped one), not a container; -s NAME... kills
    // containers named like that.
    if (text.size() > 3 && text.rfind("SIG", 0) == 0 &&
        text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-", 3) == std::string::npos)
        return true;
    std::string name = upper(text);
    if (name.rfind("SIG", 0) == 0) name = name.substr(3);
    if (name.rfind("RTMIN", 0) == 0 || name.rfind("RTMAX", 0) == 0) return true;
    for (int s = 1; s < NSIG; ++s)
        if (const char *abbrev = sigabbrev_np(s); abbrev && name == abbrev) return true;
    return false;
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

int64_t parse_integer(const std::string &text, const std::string &option) {
    bool neg = !text.empty() && text[0] == '-';
    std::string digits = text.substr(neg ? 1 : 0);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
        throw UsageError(option + " '" + text + "': not an integer");
    size_t first = std::min(digits.find_first_not_of('0'), digits.size() - 1);
    if (digits.size() - first > 18) throw UsageError(option + " '" + text + "': out of range");
    int64_t v = std::stoll(digits.substr(first));
    return neg ? -v : v;
}

int64_t parse_pid_option(const std::string &text) {
    bool number = !text.empty() &&
                  text.find_first_not_of("0123456789", text[0] == '-') == std::string::npos &&
                  text != "-";
    if (!number || text[0] == '-' || text.size() > 7 || std::stoll(text) < 1 ||
        std::stoll(text) > 4194304)
        throw UsageError("--pid " + text + ": not a process id (1..4194304)");
    return std::stoll(text);
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

void LimitOptions::add_to(po::options_description &desc) {
    // clang-format off
    desc.add_options()
        ("memory,m", po::value(&memory)->value_name("SIZE"), "memory limit: 64M, 1G, ... (-1: unlimited)")
        ("memory-swap", po::value(&memory_swap)->value_name("SIZE"), "memory + swap limit (-1: unlimited)")
        ("pids", po::value(&pids)->value_name("N"), "maximum number of tasks: 1..4194304 (-1: unlimited)")
        ("cpu-shares", po::value(&cpu_shares)->value_name("N"), "relative CPU weight: 2..262144")
        ("cpu-quota", po::value(&cpu_quota)->value_name("US"), "CFS quota in microseconds per period (-1: unlimited)")
        ("cpu-period", po::value(&cpu_period)->value_name("US"), "CFS period in microseconds: 1000..1000000")
        ("cpuset-cpus", po::value(&cpus)->value_name("LIST"), "CPUs allowed, e.g. 0-1,3");
    // clang-format on
}

void LimitOptions::apply(Resources &r) const {
    auto integer = [](const std::string &text, const char *option) -> std::optional<int64_t> {
        if (text.empty()) return std::nullopt;
        return parse_integer(text, option);
    };
    auto pids_v = integer(pids, "--pids"), shares = integer(cpu_shares, "--cpu-shares");
    auto quota = integer(cpu_quota, "--cpu-quota"), period = integer(cpu_period, "--cpu-period");
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
    if (pids_v) set("--pids", pids, [&](Resources &x) { x.pids = pids_v; });
    if (shares)
        set("--cpu-shares", cpu_shares,
            [&](Resources &x) { x.cpu.shares = static_cast<uint64_t>(*shares); });
    if (quota) set("--cpu-quota", cpu_quota, [&](Resources &x) { x.cpu.quota_us = quota; });
    if (period)
        set("--cpu-period", cpu_period,
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
        ("env,e", po::value(&env)->composing()->value_name("KEY=VALUE"), "environment variable (repeatable)")
        ("cwd,w", po::value(&cwd)->value_name("DIR"), "working directory inside the container")
        ("user,u", po::value(&user)->value_name("USER"), "UID[:GID], or NAME[:GROUP] of the container's /etc/passwd and /etc/group, to run as")
        ("cap-add", po::value(&cap_add)->composing()->value_name("CAPS"), "add capabilities to the default set, comma separated (net_admin, CAP_SYS_PTRACE, all) (repeatable)")
        ("cap-drop", po::value(&cap_drop)->composing()->value_name("CAPS"), "take capabilities out of the default set, comma separated (repeatable)")
        ("cap", po::value(&caps)->value_name("CAPS"), "capabilities, comma separated: exactly these, in every set, instead of the default set")
        ("tty,t", po::bool_switch(&tty), "give the command a terminal (stdin must be one)");
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

void check_terminal(bool from_option, const std::string &what) {
    if (::isatty(0)) return;
    if (from_option)
        throw UsageError("-t needs a terminal, but stdin is not one: leave out -t, or run ct " +
                         std::string("from a terminal"));
    throw Error(Errc::invalid_argument,
                what +
                    ": its process asks for a terminal (process.terminal), but stdin is not "
                    "one: run ct from a terminal, or set process.terminal: false");
}

int for_each_name(Context &ctx, const std::function<void(const std::string &)> &fn) {
    int rc = kOk;
    for (const auto &name : ctx.operands) {
        try {
            fn(name);
        } catch (const Error &e) {
            if (ctx.operands.size() == 1) throw;
            report(e);
            rc = kFailed;
        }
    }
    return rc;
}

Container create(Context &ctx, const Spec &spec) {
    auto &session = ctx.session();
    trace(2, "spec document of container '" + spec.name + "': " + to_json(spec));
    return step("create container '" + spec.name + "'", [&] { return session.create(spec); });
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
