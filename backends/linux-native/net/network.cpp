#include "net/network.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <memory>
#include <nlohmann/json.hpp>

#include "ct/error.hpp"
#include "net/configure.hpp"
#include "net/netlink.hpp"
#include "net/nic.hpp"
#include "support.hpp"

namespace ct::linux_native::net {
namespace {

// In the container's state directory: what attach() did (JSON), and the container's network
// namespace bind-mounted while a device in it must be given back.
constexpr const char *kRecordFile = "network.json";
constexpr const char *kPinFile = "netns";

struct Record {
    std::vector<NicRecord> nics;
    bool pinned = false;
};

std::string path_in(const std::string &dir, const char *name) {
    return dir + "/" + name;
}

void save(const std::string &dir, const Record &rec) {
    nlohmann::json j{{"pinned", rec.pinned}, {"interfaces", rec.nics}};
    Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!d) throw_sys("open the state directory " + dir, errno);
    write_file_atomic(d.get(), dir, kRecordFile, j.dump());
}

// False when nothing is recorded.
bool load(const std::string &dir, Record &rec) {
    std::string text;
    if (!read_file(path_in(dir, kRecordFile), text)) {
        if (errno == ENOENT || errno == ENOTDIR) return false;
        throw_sys("read " + path_in(dir, kRecordFile), errno);
    }
    try {
        auto j = nlohmann::json::parse(text);
        rec.pinned = j.at("pinned").get<bool>();
        rec.nics = j.at("interfaces").get<std::vector<NicRecord>>();
    } catch (const nlohmann::json::exception &e) {
        throw Error(Errc::backend, path_in(dir, kRecordFile) + " is corrupt: " + e.what());
    }
    return true;
}

void pin_netns(int netns_fd, const std::string &dir) {
    std::string target = path_in(dir, kPinFile);
    Fd f(::open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    if (!f) throw_sys("create " + target, errno);
    std::string src = "/proc/self/fd/" + std::to_string(netns_fd);
    if (::mount(src.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0)
        throw_sys("keep the container's network namespace (bind-mount it on " + target + ")",
                  errno);
}

// The pinned namespace, or none (never pinned, or the pin was not made before a crash).
Fd open_pin(const std::string &dir) {
    Fd f(::open(path_in(dir, kPinFile).c_str(), O_RDONLY | O_CLOEXEC));
    struct statfs sf {};
    if (!f || ::fstatfs(f.get(), &sf) != 0 || sf.f_type != NSFS_MAGIC) return Fd();
    return f;
}

void unpin_netns(const std::string &dir) {
    std::string target = path_in(dir, kPinFile);
    if (::umount2(target.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
        throw_sys("release the container's network namespace (unmount " + target + ")", errno);
    ::unlink(target.c_str());
}

std::string field_of(size_t i) {
    return "network[" + std::to_string(i) + "]";
}

std::vector<std::unique_ptr<Nic>> make_nics(const std::vector<NetInterfaceSpec> &ifaces) {
    std::vector<std::unique_ptr<Nic>> v;
    v.reserve(ifaces.size());
    for (size_t i = 0; i < ifaces.size(); ++i) v.push_back(make_nic(ifaces[i], field_of(i)));
    return v;
}

// Undoes what `rec` says, in reverse order; every step is tried, the first failure is thrown
// at the end. The record and the pin go in any case: what could not be given back stays in
// the container's namespace until it ends, where the kernel hands it back or destroys it.
void release_recorded(const std::vector<std::unique_ptr<Nic>> &nics, const Record &rec,
                      const std::string &dir) {
    std::exception_ptr first;
    // Only a device to give back needs anything done (the rest goes with the namespace): no
    // sockets or namespace files otherwise, at every destroy of a container with a veth.
    bool gives_back = false;
    for (const auto &n : nics) gives_back = gives_back || n->gives_back();
    if (gives_back) {
        try {
            Socket host = Socket::here();
            Fd host_ns = own_netns();
            Socket ns;
            if (rec.pinned)
                if (Fd pin = open_pin(dir)) ns = Socket::in_netns(pin.get());
            ReleaseContext ctx{host, ns ? &ns : nullptr, host_ns.get()};
            for (size_t i = std::min(nics.size(), rec.nics.size()); i-- > 0;) {
                try {
                    nics[i]->release(ctx, rec.nics[i]);
                } catch (...) {
                    if (!first) first = std::current_exception();
                }
            }
        } catch (...) {
            if (!first) first = std::current_exception();
        }
    }
    try {
        if (rec.pinned) unpin_netns(dir);
    } catch (...) {
        if (!first) first = std::current_exception();
    }
    ::unlink(path_in(dir, kRecordFile).c_str());
    if (first) std::rethrow_exception(first);
}

}  // namespace

void Network::validate() const {
    for (const auto &n : make_nics(ifaces_)) n->validate();
}

void Network::check_host() const {
    if (ifaces_.empty()) return;
    auto nics = make_nics(ifaces_);
    for (const auto &n : nics) n->validate();
    Socket host = Socket::here();
    for (const auto &n : nics) n->check(host);
}

void Network::attach(int netns, const std::string &state_dir, Socket inside) const {
    auto nics = make_nics(ifaces_);
    release(state_dir);  // an earlier run's, if its devices were not given back yet
    Socket host = Socket::here();
    Record rec;
    rec.nics.resize(nics.size());
    for (size_t i = 0; i < nics.size(); ++i) {
        nics[i]->prepare(host, rec.nics[i]);
        rec.pinned = rec.pinned || nics[i]->gives_back();
    }
    // A device to give back: the record is on disk before it is taken, so that whoever comes
    // next can give it back. (What else attach makes, the kernel removes with the container's
    // namespace: recorded once made, for a prompt removal on release.)
    if (rec.pinned) save(state_dir, rec);
    try {
        // Made while the devices are, unless the caller has one.
        NetnsSocket ns = inside ? NetnsSocket(std::move(inside)) : NetnsSocket(netns);
        if (rec.pinned) pin_netns(netns, state_dir);
        AttachContext ctx{host, ns, netns};
        for (size_t i = 0; i < nics.size(); ++i) nics[i]->attach(ctx, rec.nics[i]);
        std::vector<int> ifindex(nics.size());
        for (size_t i = 0; i < nics.size(); ++i)
            ifindex[i] = configure_link(ns.get(), ifaces_[i], field_of(i), nics[i]->where());
        for (size_t i = 0; i < nics.size(); ++i)
            configure_routes(ns.get(), ifaces_[i], ifindex[i], field_of(i), nics[i]->where());
        save(state_dir, rec);
    } catch (...) {
        try {
            release_recorded(nics, rec, state_dir);
        } catch (...) {
            // The failure to report is the one that stopped the start.
        }
        throw;
    }
}

void Network::release(const std::string &state_dir) const {
    auto nics = make_nics(ifaces_);
    bool gives_back = false;
    for (const auto &n : nics) gives_back = gives_back || n->gives_back();
    if (!gives_back) {  // nothing to undo: the record only named what was made
        ::unlink(path_in(state_dir, kRecordFile).c_str());
        return;
    }
    Record rec;
    if (!load(state_dir, rec)) return;
    release_recorded(nics, rec, state_dir);
}

std::map<std::string, std::string> Network::details(const std::string &state_dir) const {
    std::map<std::string, std::string> d;
    Record rec;
    if (ifaces_.empty() || !load(state_dir, rec)) return d;
    auto nics = make_nics(ifaces_);
    for (size_t i = 0; i < std::min(nics.size(), rec.nics.size()); ++i) {
        std::string host = nics[i]->host_device(rec.nics[i]);
        const auto &s = ifaces_[i];
        if (!host.empty()) d["net." + (s.name.empty() ? s.host_name : s.name) + ".host"] = host;
    }
    return d;
}

}  // namespace ct::linux_native::net
