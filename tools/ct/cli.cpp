#include "cli.hpp"

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <cerrno>
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
        int n = std::stoi(text.substr(0, 3));
        if (n <= 0 || n >= NSIG) throw UsageError("signal " + text + " is out of range");
        return n;
    }
    std::string name = text;
    for (auto &c : name) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
    if (name.rfind("SIG", 0) == 0) name = name.substr(3);
    for (int s = 1; s < NSIG; ++s)
        if (const char *abbrev = sigabbrev_np(s); abbrev && name == abbrev) return s;
    if (name.rfind("RTMIN+", 0) == 0) return SIGRTMIN + std::stoi(name.substr(6));
    throw UsageError("'" + text + "' is not a signal (examples: TERM, SIGKILL, 9)");
}

std::string signal_name(int sig) {
    const char *a = sigabbrev_np(sig);
    return a ? std::string("SIG") + a : "signal " + std::to_string(sig);
}

int64_t parse_count(const std::string &text, const std::string &what) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
        text.size() > 18)
        throw UsageError(what + ": '" + text + "' is not a non-negative number");
    return std::stoll(text);
}

int64_t parse_size_option(const std::string &text, const std::string &option) {
    try {
        return parse_size(text, option);
    } catch (const Error &e) {
        throw UsageError(e.what());
    }
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
        ("cap", po::value(&caps), "capabilities, comma separated (CAP_NET_ADMIN or net_admin, ALL): exactly these, in every set")
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
        auto numeric = [](const std::string &x) {
            return !x.empty() && x.find_first_not_of("0123456789") == std::string::npos;
        };
        p.user = UserSpec{};
        if (numeric(u)) {
            p.user.uid = static_cast<uint32_t>(parse_count(u, "--user"));
            if (colon == std::string::npos) p.user.gid = p.user.uid;
        } else {
            p.user.name = u;  // its gid and groups come from the container's files
        }
        if (numeric(g))
            p.user.gid = static_cast<uint32_t>(parse_count(g, "--user"));
        else if (!g.empty())
            p.user.group = g;
    }
    if (!caps.empty()) {
        std::vector<std::string> names;
        std::string cur;
        for (char c : caps + ",") {
            if (c != ',') {
                cur += c;
            } else if (!cur.empty()) {
                names.push_back(cur);
                cur.clear();
            }
        }
        p.capabilities = Capabilities::all_sets(names);
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
