// Writes the seed corpora of tests/fuzz/corpus from real inputs: the YAML, JSON and URIs of the
// documentation, the encoders' own documents, frames of the remote protocol from its encoder,
// archives from the archive writer, and the OpenVZ fixtures. Run by tools/fuzz.sh --seeds; its
// output is committed, so that CI fuzzes from the same seeds every time.
//
//   ct-fuzz-seeds SOURCE_DIR CORPUS_DIR
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "archive.hpp"
#include "ct/error.hpp"
#include "ct/internal/document.hpp"
#include "ct/specfile.hpp"
#include "full_spec.hpp"
#include "protocol.hpp"

namespace fs = std::filesystem;
using ct::remote::Msg;
using nlohmann::json;

namespace {

fs::path g_out;

std::string slurp(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void put(const std::string &target, const std::string &name, const std::string &bytes) {
    fs::create_directories(g_out / target);
    std::ofstream(g_out / target / name, std::ios::binary) << bytes;
}

std::vector<fs::path> docs(const fs::path &src) {
    std::vector<fs::path> out;
    for (const auto &e : fs::directory_iterator(src / "docs"))
        if (e.path().extension() == ".md") out.push_back(e.path());
    out.push_back(src / "README.md");
    std::sort(out.begin(), out.end());
    return out;
}

// The fenced blocks of one language in a Markdown file.
std::vector<std::string> blocks(const std::string &md, const std::string &lang) {
    std::vector<std::string> out;
    std::istringstream in(md);
    std::string line, cur;
    bool inside = false;
    while (std::getline(in, line)) {
        if (!inside && line == "```" + lang) {
            inside = true;
            cur.clear();
        } else if (inside && line.rfind("```", 0) == 0) {
            inside = false;
            out.push_back(cur);
        } else if (inside) {
            cur += line + "\n";
        }
    }
    return out;
}

void specs(const fs::path &src) {
    std::vector<std::string> yamls = {ct::test::full_spec_yaml()};
    put("spec_yaml", "full_spec.yaml", ct::test::full_spec_yaml());
    for (const auto &md : docs(src)) {
        int n = 0;
        for (const auto &y : blocks(slurp(md), "yaml")) {
            put("spec_yaml", md.stem().string() + "-" + std::to_string(++n) + ".yaml", y);
            yamls.push_back(y);
        }
        n = 0;
        for (const auto &j : blocks(slurp(md), "json"))
            put("spec_json", md.stem().string() + "-" + std::to_string(++n) + ".json", j);
    }
    // The spec documents a frontend sends a backend for each example that is a spec.
    int n = 0;
    for (const auto &y : yamls) {
        try {
            put("spec_json", "encoded-" + std::to_string(++n) + ".json",
                ct::doc::encode_spec(ct::parse_spec_yaml(y)));
        } catch (const ct::Error &) {
        }
    }
    ct::Spec full = ct::test::full_spec();
    put("spec_json", "process.json", ct::doc::encode_process(full.process));
    put("spec_json", "resources.json", ct::doc::resources_to_json(full.resources).dump());
    ct::ContainerInfo info;
    info.name = "web1";
    info.backend = "linux";
    info.state = ct::State::stopped;
    info.pid = 0;
    info.created = 1700000000;
    info.exit_status = ct::ExitStatus{false, 3};
    info.spec = full;
    info.details = {{"cgroup", "/sys/fs/cgroup/ct/web1"}};
    put("spec_json", "info.json", ct::doc::info_to_json(info).dump());
    ct::Stats st;
    st.cpu = {123456789, 100000000, 23456789};
    st.memory.usage = 1 << 20;
    st.memory.limit = 64 << 20;
    st.pids = {3, 100};
    st.network["eth0"] = {1500, 900, 12, 9};
    st.beancounters["kmemsize"] = {1000, 2000, 14372700, 14790164, 0};
    put("spec_json", "stats.json", ct::doc::stats_to_json(st).dump());
    put("spec_json", "processes.json",
        ct::doc::processes_to_json({{4242, 1, "/bin/sh"}, {4243, 7, "sleep 10"}}).dump());
    // As the loader writes them (loader/session.cpp).
    put("spec_json", "checkpoint-options.json",
        json{{"dir", "/var/lib/ct/images/web1"},
             {"leave_running", true},
             {"tcp_established", false},
             {"file_locks", true}}
            .dump());
    put("spec_json", "restore-options.json",
        json{{"dir", "/var/lib/ct/images/web1"},
             {"detach", false},
             {"stdio", {0, 1, 2}},
             {"console_socket", 5},
             {"spec", ct::doc::spec_to_json(full)}}
            .dump());
    // As linux-native's checkpoint writes it (backends/linux-native/criu/image.cpp).
    json stdio_targets = json::array();
    stdio_targets.push_back({{"kind", "file"},
                             {"key", "file[18:3]"},
                             {"path", "/dev/null"},
                             {"flags", 2},
                             {"pos", 0},
                             {"mode", 8630},
                             {"rdev", 259}});
    stdio_targets.push_back({{"kind", "tty"},
                             {"key", "tty[8800:18]"},
                             {"path", "/dev/pts/0"},
                             {"flags", 2},
                             {"pos", 0},
                             {"mode", 8592},
                             {"rdev", 34816}});
    stdio_targets.push_back({{"kind", "pipe"},
                             {"key", "pipe:[4711]"},
                             {"path", ""},
                             {"flags", 1},
                             {"pos", 0},
                             {"mode", 4480},
                             {"rdev", 0}});
    put("spec_json", "ct-checkpoint.json",
        json{{"version", 1},
             {"name", "web1"},
             {"spec", ct::doc::spec_to_json(full)},
             {"created", 1700000000},
             {"host", "host1"},
             {"cgroups", {{{"controllers", "memory"}, {"path", "/ct/web1"}}}},
             {"stdio", {"file[18:3]", "tty[8800:18]", "pipe:[4711]"}},
             {"stdio_targets", stdio_targets},
             {"machine_id", "0123456789abcdef0123456789abcdef"},
             {"boot_id", "01234567-89ab-cdef-0123-456789abcdef"},
             {"fresh_netns", true}}
            .dump(2));
}

void uris(const fs::path &src) {
    std::set<std::string> found = {"local", "linux:///", "openvz:///"};
    std::regex re(R"([a-z][a-z0-9_+-]*://[^\s`'"<>)|,]*)");
    std::vector<fs::path> files = docs(src);
    for (const char *dir : {"tests/unit", "tests/remote", "tests/openvz"})
        for (const auto &e : fs::directory_iterator(src / dir))
            if (e.path().extension() == ".cpp") files.push_back(e.path());
    for (const auto &f : files) {
        std::string text = slurp(f);
        for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
            std::string u = it->str();
            if (u.back() == ']' && u.find('[') == std::string::npos) u.pop_back();  // [text](u)
            if (u.rfind("http", 0) != 0 && u.rfind("ftp", 0) != 0) found.insert(u);
        }
    }
    int n = 0;
    for (const auto &u : found) put("uri", "uri-" + std::to_string(++n), u);
}

// Frames as each side writes them (backends/remote: agent/server.cpp, client.cpp, peer.cpp).
void frames() {
    using ct::remote::encode_frame;
    const std::string magic(ct::remote::kMagic, ct::remote::kMagicLen);
    Msg hello{{"t", "hello"},
              {"min", ct::remote::kProtoMin},
              {"max", ct::remote::kProtoMax},
              {"agent", "0.1.0"}};
    Msg opened{{"t", "ok"},
               {"id", 1},
               {"backend",
                {{"name", "linux"},
                 {"version", "0.1.0"},
                 {"caps", 255},
                 {"ops", {"create", "list", "info", "start", "wait", "destroy"}}}}};
    Msg log{{"t", "log"}, {"level", 2}, {"msg", "cgroup v2 at /sys/fs/cgroup"}};
    Msg progress{{"t", "progress"}, {"what", "web1"}, {"done", 4096}, {"total", 65536}};
    Msg listed{{"t", "ok"}, {"id", 2}, {"doc", "[]"}};
    auto data = [](uint64_t id, int ch, const std::string &s) {
        return Msg{{"t", "data"},
                   {"id", id},
                   {"ch", ch},
                   {"d", Msg::binary(std::vector<uint8_t>(s.begin(), s.end()))}};
    };
    put("remote_frame", "agent-open-list",
        magic + encode_frame(hello) + encode_frame(log) + encode_frame(opened) +
            encode_frame(listed));
    put("remote_frame", "agent-banner",
        "Welcome! (a chatty login script)\n" + magic + encode_frame(hello) + encode_frame(opened));
    put("remote_frame", "agent-open-refused",
        magic + encode_frame(hello) +
            encode_frame(ct::remote::error_reply(1, 6, "ct-agent 0.1.0 speaks 1..1, not 99", 0)));
    put("remote_frame", "agent-exec-output",
        magic + encode_frame(hello) + encode_frame(opened) +
            encode_frame(Msg{{"t", "ok"}, {"id", 1}, {"pid", 4242}}) +
            encode_frame(data(1, ct::remote::kStdout, "hello\n")) +
            encode_frame(data(1, ct::remote::kStderr, "warning\n")) +
            encode_frame(Msg{{"t", "eof"}, {"id", 1}, {"ch", ct::remote::kStdout}}) +
            encode_frame(Msg{{"t", "eof"},
                             {"id", 1},
                             {"ch", ct::remote::kStderr},
                             {"err", "the process's output was cut"}}) +
            encode_frame(Msg{{"t", "ack"}, {"id", 1}, {"ch", ct::remote::kStdin}, {"n", 6}}) +
            encode_frame(Msg{{"t", "stop"}, {"id", 2}, {"ch", ct::remote::kStdin}}) +
            encode_frame(progress) + encode_frame(Msg{{"t", "pong"}, {"id", 0}}));
    put("remote_frame", "client-calls",
        encode_frame(Msg{{"t", "call"},
                         {"id", 1},
                         {"op", "open"},
                         {"v", 1},
                         {"uri", "linux:///"},
                         {"keepalive", 15}}) +
            encode_frame(Msg{{"t", "call"},
                             {"id", 2},
                             {"op", "exec"},
                             {"name", "web1"},
                             {"doc", R"({"args":["/bin/cat"]})"},
                             {"console", true}}) +
            encode_frame(data(2, ct::remote::kPty, "ls\n")) +
            encode_frame(Msg{{"t", "winsz"}, {"id", 2}, {"rows", 24}, {"cols", 80}}) +
            encode_frame(Msg{{"t", "ping"}, {"id", 0}}) +
            encode_frame(Msg{{"t", "eof"}, {"id", 2}, {"ch", ct::remote::kPty}}));
    std::string cut = magic + encode_frame(hello) + encode_frame(listed);
    put("remote_frame", "agent-cut", cut.substr(0, cut.size() - 5));
}

void archives() {
    char tmpl[] = "/tmp/ct-fuzz-seeds-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
    fs::path dir = tmpl;
    // A checkpoint's shape: image files, a directory of its own, an empty file.
    fs::create_directories(dir / "img" / "mnt");
    std::ofstream(dir / "img" / "inventory.img") << std::string(64, '\x01');
    std::ofstream(dir / "img" / "pages-1.img") << std::string(4096, 'p');
    std::ofstream(dir / "img" / "mnt" / "fs.img") << "fs";
    std::ofstream(dir / "img" / "empty.log");
    ::chmod((dir / "img" / "mnt").c_str(), 0500);
    ::chmod((dir / "img" / "pages-1.img").c_str(), 0600);
    fs::create_directories(dir / "none");
    for (const char *name : {"img", "none"}) {
        std::string bytes;
        ct::archive::pack((dir / name).string(),
                          [&](const char *p, size_t n) { bytes.append(p, n); });
        put("archive", name + std::string(".ctar"), bytes);
    }
    ::chmod((dir / "img" / "mnt").c_str(), 0700);
    fs::remove_all(dir);
}

void openvz(const fs::path &src) {
    fs::path fx = src / "tests/openvz/fixtures";
    for (const char *confs : {"etc", "vz7/etc"})
        for (const auto &e : fs::recursive_directory_iterator(fx / confs)) {
            if (!e.is_regular_file()) continue;
            std::string prefix = confs[0] == 'v' ? "vz7-" : "";
            put("openvz_conf", prefix + e.path().filename().string(), slurp(e.path()));
        }
    for (const auto &e : fs::recursive_directory_iterator(fx / "proc")) {
        if (!e.is_regular_file()) continue;
        std::string rel = fs::relative(e.path(), fx / "proc").string();
        std::replace(rel.begin(), rel.end(), '/', '-');
        put("openvz_proc", rel, slurp(e.path()));
    }
    for (const auto &e : fs::directory_iterator(fx / "samples"))
        if (e.is_regular_file())
            put("openvz_proc", "sample-" + e.path().filename().string(), slurp(e.path()));
    // What the tools print: vzctl status of both generations, vzlist, vzctl --version.
    put("openvz_proc", "vzctl-status-running", "CTID 101 exist mounted running\n");
    put("openvz_proc", "vzctl-status-suspended", "CTID 101 exist unmounted down suspended\n");
    put("openvz_proc", "vzctl-status-deleted", "CTID 101 deleted unmounted down\n");
    put("openvz_proc", "vzctl7-status-paused", "VEID 101 exist mounted paused\n");
    put("openvz_proc", "vzlist", "       101 running\n         1 stopped\n       102 suspended\n");
    put("openvz_proc", "vzlist-usage", "vzlist: invalid option -- 't'\nUsage: vzlist [-a]\n");
    put("openvz_proc", "vzctl-version", "vzctl version 4.11\n");
    put("openvz_proc", "vzctl7-version", "vzctl v.7.0.205.2\n");
    put("openvz_proc", "enter-terminal",
        "entered into CT 101\r\n# printf '%s%s\\n' __libct_begin_ 0123456789abcdef; (exec ls)\r\n"
        "__libct_begin_0123456789abcdef\r\nbin  etc\r\n__libct_end_0123456789abcdef:0\r\n");
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 3) {
        std::cerr << "usage: ct-fuzz-seeds SOURCE_DIR CORPUS_DIR\n";
        return 2;
    }
    fs::path src = argv[1];
    g_out = argv[2];
    specs(src);
    uris(src);
    frames();
    archives();
    openvz(src);
    return 0;
}
