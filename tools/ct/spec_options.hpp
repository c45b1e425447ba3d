// The spec shortcuts of `ct run` and `ct create`: --rootfs, --memory, --mount, --net, ...
// applied on top of an optional YAML spec file.
#pragma once

#include <string>
#include <vector>

#include "cli.hpp"

namespace ct::cli {

struct SpecOptions {
    std::string name, rootfs, hostname;
    LimitOptions limits;
    std::vector<std::string> mounts, nets, sysctls, uid_maps, gid_maps, annotations, devices;
    std::string namespaces, seccomp;
    bool read_only = false;
    ProcessOptions process;
    // The caller is not root and drives this machine's linux backend: --net host and
    // --uid-map/--gid-map then start from the namespaces that backend gives it by default
    // (unprivileged_default_namespaces(), with a user namespace), not root's.
    bool unprivileged = false;

    void add_to(po::options_description &desc);
    // Reads `file` (if not empty), applies the options and `command` (if not empty), fills what
    // is still unset from `defaults` (ct.conf's spec fields, as JSON), then validates the whole,
    // with errors pointing into the file where they come from it. The hostname defaults to the
    // name.
    Spec build(const std::string &file, const std::vector<std::string> &command,
               const nlohmann::json &defaults = nlohmann::json::object()) const;
};

// Whether `uri` (resolved: Context::uri()) reaches this machine's linux backend as a caller
// that is not root.
bool unprivileged_here(const std::string &uri);

// "SRC:DST[:ro|rw][,opt...]" -> a bind mount; "tmpfs:DST[:opts]" -> a tmpfs.
MountSpec parse_mount(const std::string &text);
// "veth:eth0,host=veth-web1,addr=10.0.0.2/24,gw=10.0.0.1,mtu=1400,mac=...,bridge=br0"
// "hostnic:HOSTDEV[,name=eth1]", "macvlan:eth1,link=ens3,mode=bridge", "vlan:eth2,link=ens3,id=5"
NetInterfaceSpec parse_net(const std::string &text);
// "0:100000:65536" -> container_id:host_id:size
IdMap parse_idmap(const std::string &text, const std::string &what);

// --device PATH[:TYPE:MAJOR:MINOR[:MODE]]: without numbers, those of the host's node at PATH.
DeviceNode parse_device(const std::string &text);

}  // namespace ct::cli
