#include "criu/image.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>

#include "ct/internal/document.hpp"
#include "support.hpp"

namespace ct::linux_native::criu {
namespace {

// "stdio" holds the keys (all that images of an older libct have: what the keys name is then
// all that is known); "stdio_targets" what each fd reached.
void read_stdio(const nlohmann::json &j, ImageMeta &m) {
    auto keys = j.at("stdio").get<std::array<std::string, 3>>();
    auto it = j.find("stdio_targets");
    for (size_t i = 0; i < 3; ++i) {
        StdioTarget &t = m.stdio[i];
        t.key = keys[i];
        if (it != j.end()) {
            const auto &e = it->at(i);
            t.kind = kind_from_name(e.at("kind").get<std::string>());
            t.path = e.value("path", std::string());
            t.flags = doc::integer_field(e, "flags", 0);
            t.pos = doc::integer_field(e, "pos", uint64_t{0});
            t.mode = doc::integer_field(e, "mode", uint32_t{0});
            t.rdev = doc::integer_field(e, "rdev", uint64_t{0});
            if (e.value("key", std::string()) != t.key)
                throw Error(Errc::invalid_argument,
                            "stdio " + std::to_string(i) + ": the key differs from stdio's");
        } else if (t.key.rfind("pipe:", 0) == 0) {
            t.kind = StdioTarget::Kind::pipe;
        } else if (t.key.rfind("tty[", 0) == 0) {
            t.kind = StdioTarget::Kind::tty;
        } else if (!t.key.empty()) {
            t.kind = StdioTarget::Kind::file;
        }
        if (t.kind != StdioTarget::Kind::inside && t.key.empty())
            throw Error(Errc::invalid_argument,
                        "stdio " + std::to_string(i) + ": an external fd without a key");
    }
    m.machine_id = j.value("machine_id", std::string());
    m.boot_id = j.value("boot_id", std::string());
}

}  // namespace

std::string meta_to_text(const ImageMeta &m) {
    nlohmann::json cg = nlohmann::json::array();
    for (const auto &[ctrl, path] : m.cgroups)
        cg.push_back({{"controllers", ctrl}, {"path", path}});
    nlohmann::json keys = nlohmann::json::array(), targets = nlohmann::json::array();
    for (const auto &t : m.stdio) {
        keys.push_back(t.key);
        targets.push_back({{"kind", kind_name(t.kind)},
                           {"key", t.key},
                           {"path", t.path},
                           {"flags", t.flags},
                           {"pos", t.pos},
                           {"mode", t.mode},
                           {"rdev", t.rdev}});
    }
    nlohmann::json j{{"version", 1},
                     {"name", m.name},
                     {"spec", doc::spec_to_json(m.spec)},
                     {"created", m.created},
                     {"host", m.host},
                     {"cgroups", cg},
                     {"stdio", keys},
                     {"stdio_targets", targets},
                     {"machine_id", m.machine_id},
                     {"boot_id", m.boot_id},
                     {"fresh_netns", m.external_netns}};
    return j.dump(2) + "\n";
}

void write_meta(int dirfd, const std::string &dir, const ImageMeta &m) {
    write_file_atomic(dirfd, dir, kPendingMetaFile, meta_to_text(m));
}

void commit_meta(int dirfd, const std::string &dir) {
    if (::renameat(dirfd, kPendingMetaFile, dirfd, kMetaFile) != 0)
        throw_sys("complete the checkpoint in " + dir + " (rename " + kPendingMetaFile + ")",
                  errno);
}

ImageMeta read_meta(const std::string &dir) {
    std::string path = dir + "/" + kMetaFile, text;
    if (!read_file(path, text)) {
        int e = errno;
        struct stat st;
        if (e == ENOENT && ::stat(dir.c_str(), &st) != 0)
            throw Error(Errc::not_found, "image directory " + dir + ": " + errstr(errno), errno);
        if (e == ENOENT && ::stat((dir + "/" + kPendingMetaFile).c_str(), &st) == 0)
            throw Error(Errc::bad_state,
                        "image directory " + dir + " holds an interrupted checkpoint (" +
                            kPendingMetaFile + ", no " + kMetaFile +
                            "): its images are not complete; checkpoint again "
                            "into an empty directory",
                        e);
        if (e == ENOENT)
            throw Error(
                Errc::not_found,
                "image directory " + dir + " holds no libct checkpoint (no " + kMetaFile + ")", e);
        throw_sys("read " + path, e);
    }
    return meta_from_text(text, path);
}

ImageMeta meta_from_text(const std::string &text, const std::string &path) {
    try {
        auto j = doc::parse(text, kMetaFile);
        if (!j.is_object()) throw Error(Errc::invalid_argument, "not a JSON object");
        if (!j.contains("version") || !j["version"].is_number_integer() ||
            j["version"].get<int64_t>() != 1)
            throw Error(Errc::invalid_argument,
                        "unsupported version " + j.value("version", nlohmann::json()).dump());
        ImageMeta m;
        m.name = j.at("name").get<std::string>();
        m.spec = doc::spec_from_json(j.at("spec"));
        m.created = doc::integer_field(j, "created", int64_t{0});
        m.host = j.value("host", std::string());
        for (const auto &c : j.at("cgroups"))
            m.cgroups.emplace_back(c.at("controllers").get<std::string>(),
                                   c.at("path").get<std::string>());
        read_stdio(j, m);
        m.external_netns = j.value("fresh_netns", false);
        return m;
    } catch (const Error &e) {
        throw Error(Errc::invalid_argument, path + ": " + e.what());
    } catch (const std::exception &e) {
        throw Error(Errc::invalid_argument, path + ": " + e.what());
    }
}

const char *kind_name(StdioTarget::Kind k) {
    switch (k) {
        case StdioTarget::Kind::pipe:
            return "pipe";
        case StdioTarget::Kind::file:
            return "file";
        case StdioTarget::Kind::tty:
            return "tty";
        case StdioTarget::Kind::inside:
            break;
    }
    return "inside";
}

StdioTarget::Kind kind_from_name(const std::string &name) {
    using Kind = StdioTarget::Kind;
    for (Kind k : {Kind::inside, Kind::pipe, Kind::file, Kind::tty})
        if (name == kind_name(k)) return k;
    throw Error(Errc::invalid_argument, "unknown stdio kind '" + name + "'");
}

}  // namespace ct::linux_native::criu
