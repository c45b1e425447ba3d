#include "criu/image.hpp"

#include <sys/stat.h>

#include <cerrno>

#include "ct/internal/document.hpp"
#include "support.hpp"

namespace ct::linux_native::criu {

void write_meta(int dirfd, const std::string &dir, const ImageMeta &m) {
    nlohmann::json cg = nlohmann::json::array();
    for (const auto &[ctrl, path] : m.cgroups)
        cg.push_back({{"controllers", ctrl}, {"path", path}});
    nlohmann::json j{{"version", 1},
                     {"name", m.name},
                     {"spec", doc::spec_to_json(m.spec)},
                     {"created", m.created},
                     {"host", m.host},
                     {"cgroups", cg},
                     {"stdio", m.stdio},
                     {"fresh_netns", m.fresh_netns}};
    write_file_atomic(dirfd, dir, kMetaFile, j.dump(2) + "\n");
}

ImageMeta read_meta(const std::string &dir) {
    std::string path = dir + "/" + kMetaFile, text;
    if (!read_file(path, text)) {
        int e = errno;
        struct stat st;
        if (e == ENOENT && ::stat(dir.c_str(), &st) != 0)
            throw Error(Errc::not_found, "image directory " + dir + ": " + errstr(errno), errno);
        if (e == ENOENT)
            throw Error(
                Errc::not_found,
                "image directory " + dir + " holds no libct checkpoint (no " + kMetaFile + ")", e);
        throw_sys("read " + path, e);
    }
    try {
        auto j = doc::parse(text, kMetaFile);
        if (j.value("version", 0) != 1)
            throw Error(Errc::invalid_argument,
                        "unsupported version " + j.value("version", nlohmann::json()).dump());
        ImageMeta m;
        m.name = j.at("name").get<std::string>();
        m.spec = doc::spec_from_json(j.at("spec"));
        m.created = j.value("created", int64_t{0});
        m.host = j.value("host", std::string());
        for (const auto &c : j.at("cgroups"))
            m.cgroups.emplace_back(c.at("controllers").get<std::string>(),
                                   c.at("path").get<std::string>());
        m.stdio = j.at("stdio").get<std::array<std::string, 3>>();
        m.fresh_netns = j.value("fresh_netns", false);
        return m;
    } catch (const Error &e) {
        throw Error(Errc::invalid_argument, path + ": " + e.what());
    } catch (const std::exception &e) {
        throw Error(Errc::invalid_argument, path + ": " + e.what());
    }
}

}  // namespace ct::linux_native::criu
