// config: the settings in effect and where each comes from; __complete: the candidates for the
// word being completed, for the bash and zsh completion scripts (tools/ct/completion/).
#include <signal.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"

namespace ct::cli {
namespace {

using nlohmann::json;

// Leaves of a JSON object as "a.b" -> text, in order.
void flatten(const json &j, const std::string &path,
             std::vector<std::pair<std::string, std::string>> &out) {
    if (j.is_object() && (!j.empty() || path.empty())) {  // the empty root: nothing
        for (auto it = j.begin(); it != j.end(); ++it)
            flatten(*it, path.empty() ? it.key() : path + "." + it.key(), out);
    } else {
        out.push_back({path, j.is_string() ? j.get<std::string>() : j.dump()});
    }
}

int cmd_config(Context &ctx) {
    bool as_json = false;
    po::options_description desc;
    desc.add_options()("json", po::bool_switch(&as_json), "print JSON");
    po::variables_map vm;
    if (!parse(ctx, desc, {}, vm)) return kOk;
    const Config &c = ctx.config();
    Setting uri = ctx.uri();
    std::vector<std::pair<std::string, std::string>> defaults;
    flatten(c.defaults, "", defaults);
    auto origin_of = [&](const std::string &path) {
        auto it = c.default_origins.find(path);
        return it == c.default_origins.end() ? std::string() : it->second;
    };
    if (as_json) {
        json j{{"uri", {{"value", uri.value}, {"from", uri.origin}}},
               {"aliases", json::object()},
               {"defaults", c.defaults},
               {"files", json::array()}};
        if (c.state_root)
            j["state_root"] = {{"value", c.state_root->value}, {"from", c.state_root->origin}};
        for (const auto &[name, s] : c.aliases)
            j["aliases"][name] = {{"value", s.value}, {"from", s.origin}};
        for (const auto &f : c.files) j["files"].push_back({{"path", f.path}, {"read", f.read}});
        std::cout << j.dump() << "\n";
        return kOk;
    }
    std::cout << "uri:         " << uri.value << "  (" << uri.origin << ")\n";
    if (c.state_root)
        std::cout << "state_root:  " << c.state_root->value << "  (" << c.state_root->origin
                  << ")\n";
    else
        std::cout << "state_root:  the backend's default  (not set)\n";
    std::cout << "aliases:" << (c.aliases.empty() ? "     none\n" : "\n");
    for (const auto &[name, s] : c.aliases)
        std::cout << "  " << name << " = " << s.value << "  (" << s.origin << ")\n";
    std::cout << "defaults:" << (defaults.empty() ? "    none\n" : "\n");
    for (const auto &[path, value] : defaults)
        std::cout << "  " << path << ": " << value << "  (" << origin_of(path) << ")\n";
    std::cout << "files:\n";
    for (const auto &f : c.files)
        std::cout << "  " << f.path << (f.read ? "" : "  (not there)") << "\n";
    return kOk;
}

// The words of a signal the way `ct kill` takes them.
std::vector<std::string> signal_words() {
    std::vector<std::string> out;
    for (int s = 1; s < SIGRTMIN; ++s)
        if (const char *a = sigabbrev_np(s)) out.push_back(a);
    out.push_back("RTMIN+1");
    return out;
}

// The containers of the session the words would use; none when it cannot be opened.
std::vector<std::string> container_names(Context &ctx) {
    std::vector<std::string> out;
    try {
        for (const auto &i : ctx.session().list()) out.push_back(i.name);
    } catch (const std::exception &) {
    }
    return out;
}

// `ct __complete WORD... CURRENT`: the words typed after `ct`, the last one being completed
// (possibly empty). Prints candidates one per line (the shell filters them by what is typed),
// or __files__ / __dirs__ for the shell's own file completion.
int cmd_complete(Context &ctx) {
    std::vector<std::string> words = ctx.args;
    if (words.empty()) words.push_back("");
    std::string current = words.back();
    words.pop_back();
    auto print = [](const std::vector<std::string> &v) {
        for (const auto &w : v) std::cout << w << "\n";
        return kOk;
    };
    size_t i = 0;
    // Global options before the command.
    for (; i < words.size() && !words[i].empty() && words[i][0] == '-'; ++i)
        if ((words[i] == "-c" || words[i] == "--connect") && i + 1 < words.size())
            ctx.connect = words[++i];
    if (i == words.size()) {
        if (!current.empty() && current[0] == '-')
            return print({"--connect", "--verbose", "--debug", "--help", "--version"});
        if (!words.empty() && (words.back() == "-c" || words.back() == "--connect")) {
            std::vector<std::string> uris{"linux:///", "openvz:///"};
            for (const auto &[name, s] : ctx.config().aliases) uris.push_back(name);
            return print(uris);
        }
        std::vector<std::string> names{"help"};
        for (const auto &c : commands())
            if (c.name[0] != '_') names.push_back(c.name);
        return print(names);
    }
    const Command *cmd = find_command(words[i]);
    if (words[i] == "help") {
        std::vector<std::string> names;
        for (const auto &c : commands())
            if (c.name[0] != '_') names.push_back(c.name);
        return i + 1 == words.size() ? print(names) : kOk;
    }
    if (!cmd) return kOk;
    Described d;
    Context probe;
    probe.cmd = cmd;
    probe.command = cmd->name;
    probe.describe = &d;
    cmd->run(probe);
    // Where the words after the command stand: operands so far, in the command, after an option.
    int operands = 0;
    bool in_command = false;
    const Described::Option *pending = nullptr;
    for (size_t k = i + 1; k < words.size(); ++k) {
        const std::string &w = words[k];
        if (pending) {
            if (pending->long_name == "--connect") ctx.connect = w;
            pending = nullptr;
            continue;
        }
        if (in_command) continue;
        if (w == "--") {
            in_command = true;
            continue;
        }
        if (w.size() > 1 && w[0] == '-') {
            for (const auto &o : d.options)
                if ((o.long_name == w || o.short_name == w) && !o.value_name.empty()) pending = &o;
            continue;
        }
        bool spec = d.spec_first && operands == 0 &&
                    (w.ends_with(".yaml") || w.ends_with(".yml") || w == "-");
        if (d.takes_command && !spec && (d.spec_first || operands >= d.max_operands))
            in_command = true;
        else
            ++operands;
    }
    if (in_command) return kOk;  // the container's command: nothing ct knows
    if (pending) {
        const std::string &o = pending->long_name;
        if (o == "--signal") return print(signal_words());
        if (o == "--connect" || o == "--to") {
            std::vector<std::string> uris{"linux:///", "openvz:///"};
            for (const auto &[name, s] : ctx.config().aliases) uris.push_back(name);
            return print(uris);
        }
        if (o == "--rootfs" || o == "--dir") return print({"__dirs__"});
        if (o == "--spec" || o == "--log" || o == "--seccomp" || o == "--mount")
            return print({"__files__"});
        return kOk;
    }
    if (!current.empty() && current[0] == '-') {
        std::vector<std::string> names;
        for (const auto &o : d.options) {
            names.push_back(o.long_name);
            if (!o.short_name.empty()) names.push_back(o.short_name);
        }
        return print(names);
    }
    if (d.spec_first) return print({"__files__"});
    if (d.max_operands == 0) return kOk;
    if (d.max_operands > 0 && operands >= d.max_operands) return kOk;
    std::vector<std::string> names = container_names(ctx);
    if (std::string(cmd->name) == "kill" && operands > 0)
        for (const auto &s : signal_words()) names.push_back(s);
    return print(names);
}

}  // namespace

const std::vector<Command> &setup_commands() {
    static const std::vector<Command> kCmds = {
        {"config", "config [OPTIONS]", "show the configuration in effect",
         "Shows the settings in effect and where each comes from: the URI (-c, CT_CONNECT, a\n"
         "ct.conf or the default), the default state root, URI aliases and spec defaults, and\n"
         "the configuration files read: /etc/ct/ct.conf, then ~/.config/ct/ct.conf (or those of\n"
         "$CT_CONFIG). The format is in ct(1), FILES.",
         "ct config\n"
         "ct config --json",
         cmd_config},
        {"__complete", "__complete WORD...", "candidates for shell completion",
         "Prints the candidates for the last WORD of a ct command line being typed (used by the\n"
         "bash and zsh completion scripts).",
         "", cmd_complete},
    };
    return kCmds;
}

}  // namespace ct::cli
