// Checkpoint, restore and migration: vzctl chkpnt/restore and vzmigrate.
#include <filesystem>
#include <fstream>

#include "ct/internal/document.hpp"
#include "session.hpp"

namespace ct::openvz {
namespace fs = std::filesystem;

namespace {

// Option documents are strict like specs: an option this backend does not know is refused.
nlohmann::json options_doc(const std::string &text, const char *what,
                           std::initializer_list<const char *> known) {
    auto j = doc::parse(text, what);
    if (!j.is_object())
        throw Error(Errc::invalid_argument, std::string(what) + " is not a mapping");
    for (auto it = j.begin(); it != j.end(); ++it) {
        bool ok = false;
        for (const char *k : known) ok |= it.key() == k;
        if (!ok)
            throw Error(Errc::invalid_argument, std::string(what) + ": option '" + it.key() +
                                                    "' is not supported by backend openvz");
    }
    return j;
}

bool flag(const nlohmann::json &j, const char *key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return false;
    if (!it->is_boolean())
        throw Error(Errc::invalid_argument, std::string(key) + " must be true or false");
    return it->get<bool>();
}

std::string text_of(const nlohmann::json &j, const char *key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string() || it->get<std::string>().empty())
        throw Error(Errc::invalid_argument, std::string(key) + " is required");
    return it->get<std::string>();
}

const char *kDumpName = "openvz.dump";
const char *kImageInfo = "openvz.json";

}  // namespace

void OpenVzSession::checkpoint(const std::string &name, const std::string &opts_doc) {
    // tcp_established and file_locks: OpenVZ's checkpointing always saves established TCP
    // connections and file locks, so either answer is honoured by the image.
    auto j = options_doc(opts_doc, "checkpoint options",
                         {"dir", "leave_running", "tcp_established", "file_locks"});
    std::string dir = text_of(j, "dir");
    bool leave = flag(j, "leave_running");
    flag(j, "tcp_established");
    flag(j, "file_locks");
    if (dir[0] != '/') throw Error(Errc::invalid_argument, "dir must be an absolute path");
    // vzctl 4.x freezes, dumps and thaws in separate commands (the kernel keeps the
    // checkpoint context between them). OpenVZ 7's keeps it in the vzctl process that made the
    // dump (libvzctl's env_resume needs its own checkpointing state), so a later vzctl cannot
    // finish what an earlier one started.
    if (leave && gen() == Generation::vz7)
        throw Error(Errc::unsupported,
                    "leave_running is not supported by backend openvz on OpenVZ 7: its vzctl "
                    "keeps a dump's state in the process that made it, so freezing, dumping and "
                    "thawing cannot be done as separate commands");
    VzStatus vs = need(name);
    need_running(name, vs);
    std::error_code ec;
    bool made = !fs::exists(dir, ec);
    fs::create_directories(dir, ec);
    if (ec) throw Error(Errc::backend, "cannot create " + dir + ": " + ec.message(), ec.value());
    std::string dump = dir + "/" + kDumpName;
    // A failed checkpoint leaves no image behind (nor the directory, when it made it).
    auto undo = [&] {
        std::error_code ignored;
        if (made) {
            fs::remove_all(dir, ignored);
        } else {
            fs::remove(dump, ignored);
            fs::remove(dir + "/" + kImageInfo, ignored);
        }
    };
    try {
        nlohmann::json info{{"backend", "openvz"}, {"ctid", name}, {"dump", kDumpName}};
        if (auto st = store_.load(name); st && st->spec)
            info["spec"] = doc::spec_to_json(*st->spec);
        {
            std::ofstream out(dir + "/" + kImageInfo, std::ios::trunc);
            out << info.dump() << "\n";
            if (!out) throw Error(Errc::backend, "cannot write " + dir + "/" + kImageInfo);
        }
        if (!leave) {
            vz({tools_.vzctl, "chkpnt", name, "--dumpfile", dump});
            return;
        }
        // Leave it running: the kernel's steps one by one (freeze, dump, thaw); thawed even
        // when the dump fails.
        vz({tools_.vzctl, "chkpnt", name, "--suspend"});
        try {
            vz({tools_.vzctl, "chkpnt", name, "--dump", "--dumpfile", dump});
        } catch (...) {
            try {
                vz({tools_.vzctl, "chkpnt", name, "--resume"});
            } catch (const Error &) {
                // Report the dump's failure.
            }
            throw;
        }
        vz({tools_.vzctl, "chkpnt", name, "--resume"});
    } catch (...) {
        undo();
        throw;
    }
}

void OpenVzSession::restore(const std::string &name, const std::string &opts_doc) {
    // The restored processes keep the stdio they were dumped with: OpenVZ images do not allow
    // replacing it (RestoreOptions says "where the images allow"), and they always run detached.
    auto j = options_doc(opts_doc, "restore options", {"dir", "detach", "stdio", "spec"});
    if (j.contains("spec"))
        throw Error(Errc::unsupported,
                    "restoring container " + name +
                        " under another configuration (restore options' spec) is not supported "
                        "by backend openvz: a dump belongs to its CTID's private area and "
                        "configuration");
    std::string dir = text_of(j, "dir");
    std::ifstream in(dir + "/" + kImageInfo);
    if (!in)
        throw Error(Errc::not_found,
                    dir + " holds no OpenVZ checkpoint (" + kImageInfo + " missing)");
    nlohmann::json info;
    try {
        in >> info;
    } catch (const std::exception &e) {
        throw Error(Errc::invalid_argument, dir + "/" + kImageInfo + " is damaged: " + e.what());
    }
    std::string from = info.value("ctid", "");
    if (from != name)
        throw Error(Errc::unsupported,
                    "restoring container " + from + "'s checkpoint as " + name +
                        " is not supported by backend openvz: a dump belongs to its CTID's "
                        "private area and configuration");
    VzStatus vs = need(name);
    if (vs.running) throw Error(Errc::bad_state, "container " + name + " is running");
    vz({tools_.vzctl, "restore", name, "--dumpfile", dir + "/" + kDumpName});
    if (auto st = store_.load(name)) {
        st->started = true;
        st->init_pid = 0;  // the command's vzctl client did not survive the dump
        store_.save(name, *st);
    }
}

void OpenVzSession::migrate(const std::string &name, const std::string &opts_doc) {
    auto j = options_doc(opts_doc, "migrate options", {"to", "leave_running", "tcp_established"});
    MigrateTarget t = migrate_target(text_of(j, "to"), gen());
    if (flag(j, "leave_running"))
        throw Error(Errc::unsupported,
                    "leave_running is not supported by backend openvz: vzmigrate moves a "
                    "container, it does not copy a running one");
    flag(j, "tcp_established");  // online migration keeps established connections anyway
    VzStatus vs = need(name);
    if (vs.paused || (vs.suspended && !vs.running))
        throw Error(Errc::bad_state, "container " + name + " is paused (resume it first)");
    if (tools_.vzmigrate.empty())
        throw Error(Errc::unsupported,
                    "migration needs vzmigrate, which is not installed (" +
                        (host_.options().bin.empty() ? std::string("$PATH") : host_.options().bin) +
                        ")");
    Argv argv{tools_.vzmigrate};
    if (vs.running) argv.push_back("--online");
    if (!t.ssh_options.empty()) argv.push_back("--ssh=" + t.ssh_options);
    argv.insert(argv.end(), {t.destination, name});
    vz(argv);
    store_.remove(name);  // it lives on the destination now
}

}  // namespace ct::openvz
