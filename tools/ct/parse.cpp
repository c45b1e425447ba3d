// A command's arguments: options (Boost.Program_options stores them), its operands, and the
// container's command, which starts at "--" or at the first word past the operands, as podman's
// and runc's do. ct finds those boundaries itself, so that every error is in ct's words and an
// option of the container's command (`ct exec web1 ls -l`) is never taken for ct's.
#include <sys/stat.h>

#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "suggest.hpp"
#include "trace.hpp"

namespace ct::cli {
namespace {

struct HelpRequested {};

[[noreturn]] void unknown_option(const std::string &opt, const po::options_description &desc) {
    // Habits from other tools, answered in words.
    if (opt == "-i" || opt == "--interactive")
        throw UsageError("unknown option '" + opt +
                         "': stdin always reaches the command; leave it out");
    std::vector<std::string> names;
    for (const auto &o : desc.options()) names.push_back("--" + o->long_name());
    std::string msg = "unknown option '" + opt + "'";
    if (auto s = closest(opt.substr(0, opt.find('=')), names))
        msg += "; did you mean '" + *s + "'?";
    throw UsageError(msg);
}

const po::option_description *find_long(const po::options_description &desc,
                                        const std::string &name) {
    // No abbreviations: "--mem" is not "--memory", so a new option never breaks a script.
    return desc.find_nothrow(name, false, false, false);
}

// "-x", or "" for an option without a short name. (Boost then answers with the long name,
// which for a two-letter one like "to" would pass for a short one.)
std::string short_name(const po::option_description &o) {
    std::string s = o.canonical_display_name(po::command_line_style::allow_dash_for_short);
    return s.size() == 2 && s[0] == '-' ? s : "";
}

const po::option_description *find_short(const po::options_description &desc, char c) {
    for (const auto &o : desc.options())
        if (short_name(*o) == std::string("-") + c) return o.get();
    return nullptr;
}

bool takes_value(const po::option_description *o) {
    return o->semantic()->max_tokens() > 0;
}

std::string value_name(const po::option_description *o) {
    return o->semantic()->name();
}

// A run/create operand is the spec file when it reads as one: "-" (stdin), a name ending in
// .yaml/.yml/.json, or something on the host that is not an executable file (a FIFO or a
// directory is refused as a spec file later, with the reason). Anything else starts the
// container's command: `ct run --rootfs DIR true`.
bool is_spec_operand(const std::string &w) {
    auto ends = [&](const char *suffix) {
        std::string s = suffix;
        return w.size() > s.size() && w.compare(w.size() - s.size(), s.size(), s) == 0;
    };
    if (w == "-" || ends(".yaml") || ends(".yml") || ends(".json")) return true;
    struct stat st;
    if (::stat(w.c_str(), &st) != 0) return false;
    return !(S_ISREG(st.st_mode) && (st.st_mode & 0111));
}

// Splits ctx.args into Boost's tokens (options in --long=value form), ctx.operands and
// ctx.trailing.
std::vector<std::string> split(Context &ctx, const po::options_description &desc,
                               const Shape &shape) {
    std::vector<std::string> tokens;
    const auto &args = ctx.args;
    bool in_command = false;
    auto operands_full = [&] {
        return shape.max >= 0 && static_cast<int>(ctx.operands.size()) >= shape.max;
    };
    // No option of ct means anything by an empty value: `-n ''` must not quietly become the
    // default (a generated name), and Boost's own message for it names no option.
    auto push_value = [&](const std::string &name, const po::option_description *o,
                          const std::string &v) {
        if (v.empty())
            throw UsageError("option '--" + name + "' has an empty value: give --" + name + " " +
                             value_name(o) + ", or leave the option out for its default");
        tokens.push_back("--" + name + "=" + v);
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (in_command) {
            ctx.trailing.push_back(a);
            continue;
        }
        if (a == "--") {
            if (!shape.command)
                throw UsageError("unexpected '--': ct " + ctx.command + " runs no command");
            in_command = true;
            continue;
        }
        if (a.size() > 2 && a.rfind("--", 0) == 0) {
            auto eq = a.find('=');
            std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
            const auto *o = find_long(desc, name);
            if (!o) unknown_option(a, desc);
            if (name == "help") throw HelpRequested{};
            if (name == "verbose" && eq == std::string::npos) {
                ++ctx.verbosity;  // counted: -vv is more than -v
                continue;
            }
            if (!takes_value(o)) {
                if (eq != std::string::npos)
                    throw UsageError("option '--" + name + "' takes no value (got '" +
                                     a.substr(eq + 1) + "')");
                tokens.push_back("--" + name);
            } else if (eq != std::string::npos) {
                push_value(name, o, a.substr(eq + 1));
            } else if (i + 1 < args.size()) {
                push_value(name, o, args[++i]);
            } else {
                throw UsageError("option '--" + name + "' needs a value: --" + name + " " +
                                 value_name(o));
            }
            continue;
        }
        if (a.size() > 1 && a[0] == '-') {
            // -abc: flags, the last (or one in the middle) may take the rest as its value.
            for (size_t k = 1; k < a.size(); ++k) {
                const auto *o = find_short(desc, a[k]);
                if (!o) unknown_option(k == 1 ? a.substr(0, 2) : "-" + a.substr(k, 1), desc);
                std::string name = o->long_name();
                if (name == "help") throw HelpRequested{};
                if (name == "verbose") {
                    ++ctx.verbosity;
                    continue;
                }
                if (!takes_value(o)) {
                    tokens.push_back("--" + name);
                    continue;
                }
                if (k + 1 < a.size())
                    push_value(name, o, a.substr(k + 1));
                else if (i + 1 < args.size())
                    push_value(name, o, args[++i]);
                else
                    throw UsageError("option '-" + std::string(1, a[k]) + "' (--" + name +
                                     ") needs a value: -" + std::string(1, a[k]) + " " +
                                     value_name(o));
                break;
            }
            continue;
        }
        // An operand, or the first word of the container's command.
        bool spec_slot = shape.spec_first && ctx.operands.empty();
        if (shape.command && (operands_full() || (spec_slot && !is_spec_operand(a)))) {
            in_command = true;
            ctx.trailing.push_back(a);
            continue;
        }
        if (operands_full())
            throw UsageError("unexpected argument '" + a + "' (usage: ct " + ctx.cmd->usage + ")");
        ctx.operands.push_back(a);
    }
    return tokens;
}

void add_globals(Context &ctx, po::options_description &desc) {
    // clang-format off
    desc.add_options()
        ("connect,c", po::value(&ctx.connect)->value_name("URI"), "backend URI or alias (default: $CT_CONNECT, else ct.conf's uri, else linux:///)")
        ("verbose,v", po::bool_switch(), "show each operation and the backend's log (-vv: --debug)")
        ("debug", po::bool_switch()->notifier([&ctx](bool on) { if (on) ctx.verbosity = 2; }), "show also the documents sent to the backend and its debug log")
        ("help,h", po::bool_switch(), "show this help");
    // clang-format on
}

}  // namespace

bool parse(Context &ctx, po::options_description &desc, const Shape &shape, po::variables_map &vm) {
    add_globals(ctx, desc);
    if (ctx.describe) {
        for (const auto &o : desc.options()) {
            ctx.describe->options.push_back({"--" + o->long_name(), short_name(*o),
                                             takes_value(o.get()) ? value_name(o.get()) : ""});
        }
        ctx.describe->max_operands = shape.max;
        ctx.describe->takes_command = shape.command;
        ctx.describe->spec_first = shape.spec_first;
        return false;
    }
    std::vector<std::string> tokens;
    try {
        tokens = split(ctx, desc, shape);
    } catch (const HelpRequested &) {
        print_help(std::cout, *ctx.cmd, desc);
        return false;
    }
    try {
        auto style =
            po::command_line_style::allow_long | po::command_line_style::long_allow_adjacent;
        po::store(po::command_line_parser(tokens).options(desc).style(style).run(), vm);
        po::notify(vm);
    } catch (const po::multiple_occurrences &e) {
        throw UsageError("option '" + e.get_option_name() + "' is given more than once");
    } catch (const po::error &e) {
        // Not reached for what split() checks; a last resort that still names the option.
        throw UsageError(std::string("malformed option: ") + e.what());
    }
    set_verbosity(ctx.verbosity);
    int n = static_cast<int>(ctx.operands.size());
    if (n < shape.min) {
        throw UsageError("missing the container NAME (usage: ct " + std::string(ctx.cmd->usage) +
                         ")");
    }
    if (shape.command_needed && ctx.trailing.empty())
        throw UsageError("missing the COMMAND to run (usage: ct " + std::string(ctx.cmd->usage) +
                         ")");
    return true;
}

namespace {

void wrap(std::ostream &os, const std::string &text, size_t indent, size_t width) {
    size_t col = indent;
    std::string word;
    std::istringstream in(text);
    bool first = true;
    while (in >> word) {
        if (!first && col + 1 + word.size() > width) {
            os << "\n" << std::string(indent, ' ');
            col = indent;
        } else if (!first) {
            os << ' ';
            ++col;
        }
        os << word;
        col += word.size();
        first = false;
    }
}

}  // namespace

void print_help(std::ostream &os, const Command &cmd, const po::options_description &desc) {
    os << "Usage: ct " << cmd.usage << "\n\n" << cmd.description << "\n";
    struct Row {
        std::string left, help;
        bool global;
    };
    std::vector<Row> rows;
    size_t widest = 0;
    for (const auto &o : desc.options()) {
        std::string shrt = short_name(*o);
        std::string left = shrt.empty() ? "    " : shrt + ", ";
        left += "--" + o->long_name();
        if (takes_value(o.get()) && o->long_name() != "verbose") left += " " + value_name(o.get());
        bool global = o->long_name() == "connect" || o->long_name() == "verbose" ||
                      o->long_name() == "debug" || o->long_name() == "help";
        widest = std::max(widest, left.size());
        rows.push_back({left, o->description(), global});
    }
    widest = std::min<size_t>(widest, 28);
    for (bool global : {false, true}) {
        bool any = false;
        for (const auto &r : rows) {
            if (r.global != global) continue;
            if (!any) os << "\n" << (global ? "Global options:" : "Options:") << "\n";
            any = true;
            os << "  " << r.left;
            if (r.left.size() > widest)
                os << "\n" << std::string(widest + 4, ' ');
            else
                os << std::string(widest - r.left.size() + 2, ' ');
            wrap(os, r.help, widest + 4, 100);
            os << "\n";
        }
    }
    if (cmd.examples && *cmd.examples) {
        os << "\nExamples:\n";
        std::istringstream in(cmd.examples);
        for (std::string line; std::getline(in, line);) os << "  " << line << "\n";
    }
}

}  // namespace ct::cli
