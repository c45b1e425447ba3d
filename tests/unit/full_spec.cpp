#include "full_spec.hpp"

namespace ct::test {

Spec full_spec() {
    Spec s;
    s.name = "web1";
    s.rootfs = "/srv/ct/web1";
    s.readonly_rootfs = true;
    s.private_area = {
        "overlay", "/srv/ct/web1.upper", {"/srv/img/base", "/srv/img/app"}, "/srv/ct/web1.work"};
    s.hostname = "web1.example";
    s.namespaces = std::vector<NamespaceSpec>{{Namespace::mount, {}},
                                              {Namespace::uts, {}},
                                              {Namespace::ipc, {}},
                                              {Namespace::pid, {}},
                                              {Namespace::net, {}},
                                              {Namespace::user, {}},
                                              {Namespace::cgroup, "/proc/1/ns/cgroup"},
                                              {Namespace::time, {}}};
    s.uid_map = {{0, 100000, 65536}, {65536, 1000, 1}};
    s.gid_map = {{0, 200000, 65536}};
    s.process.args = {"/bin/sh", "-c", "echo \"hi\"; sleep 10"};
    s.process.env = {"PATH=/bin:/usr/bin", "LANG=C.UTF-8"};
    s.process.cwd = "/srv";
    s.process.user = {1000, 1001, {27, 100}};
    s.process.terminal = true;
    s.process.no_new_privileges = true;
    s.process.parent_death_signal = 9;
    s.process.rlimits = {{"nofile", 1024, 4096}, {"core", 0, 0}};
    s.process.capabilities = Capabilities::all_sets({"CAP_NET_ADMIN", "sys_time"});
    s.resources.memory = 64 << 20;
    s.resources.memory_swap = 128 << 20;
    s.resources.pids = 100;
    s.resources.cpu = {512, 50000, 100000, "0-1", "0"};
    s.resources.io_weight = 200;
    s.resources.memory_reservation = 32 << 20;
    s.resources.memory_swappiness = 10;
    s.resources.oom_kill_disable = true;
    s.resources.cpu.rt_runtime_us = 5000;
    s.resources.cpu.rt_period_us = 10000;
    s.resources.cpu.idle = 1;
    s.resources.cpu.burst_us = 20000;
    s.resources.io = {{{254, 0, 500}},
                      {{254, 0, 1048576}},
                      {{254, 0, 2097152}},
                      {{254, 0, 100}},
                      {{254, 16, 200}}};
    s.resources.hugepages = {{"2MB", 4 << 20}, {"1GB", -1}};
    s.resources.unified = {{"memory.high", "max"}, {"pids.max", "50"}};
    s.resources.devices = {{false, "a", {}, {}, "rwm"}, {true, "c", 10, 229, "rw"}};
    s.mounts = {
        {"/srv/data", "/data", "bind", {"ro", "nosuid"}},
        {"tmpfs",
         "/tmp",
         "tmpfs",
         {},
         {},
         {},
         {{{"/bin/mkdir", {"mkdir", "-p", "/srv/tmp"}, {}, 3}}, {{"/bin/true", {}, {"B=2"}, {}}}}},
        {"", "/sys/fs/cgroup", "cgroup", {}},
        {"/srv/shared", "/shared", "bind", {"ridmap"}, {{0, 100000, 65536}}, {{0, 100000, 65536}}}};
    s.devices = {{"/dev/fuse", "c", 10, 229, 0660, 0, 5}, {"/dev/loop9", "b", 7, 9, 0600, 0, 0}};
    NetInterfaceSpec veth;
    veth.type = "veth";
    veth.name = "eth0";
    veth.host_name = "veth-web1";
    veth.bridge = "br0";
    veth.mac = "02:00:00:00:00:01";
    veth.host_mac = "02:00:00:00:01:01";
    veth.mtu = 1400;
    veth.addresses = {"10.0.0.2/24", "fd00::2/64"};
    veth.gateway = "10.0.0.1";
    veth.routes = {{"10.1.0.0/16", "10.0.0.254", 10}, {"fd01::/64", "", 0}};
    NetInterfaceSpec vlan;
    vlan.type = "vlan";
    vlan.name = "eth1";
    vlan.link = "eno1";
    vlan.vlan_id = 42;
    NetInterfaceSpec macvlan;
    macvlan.type = "macvlan";
    macvlan.name = "eth2";
    macvlan.link = "eno1";
    macvlan.mode = "bridge";
    s.network = {veth, vlan, macvlan};
    s.sysctl = {{"net.ipv4.ip_forward", "1"}, {"kernel.shmmax", "65536"}};
    s.cgroups = {"freezer", "name=libct"};
    s.annotations = {{"owner", "ops"}, {"tier", "front"}};
    s.process.umask = 027;
    s.process.oom_score_adj = -500;
    s.process.console_size = ConsoleSize{24, 80};
    s.hooks.create_runtime = {{"/usr/bin/net-setup", {"net-setup", "up"}, {"A=1"}, 5}};
    s.hooks.start_container = {{"/bin/true", {}, {}, {}}};
    s.hooks.poststop = {{"/usr/bin/net-setup", {"net-setup", "down"}, {}, {}}};
    s.cgroup_path = "machine/web1";
    s.bundle = "/srv/bundles/web1";
    s.personality = "linux32";
    s.rootfs_propagation = "rshared";
    s.time_offsets = {{86400, 5}, {-3600, 0}};
    s.inherit_keyring = true;
    return s;
}

const std::string &full_spec_yaml() {
    static const std::string y = R"(# every field
name: web1
rootfs: /srv/ct/web1
readonly_rootfs: true
private:
  type: overlay
  path: /srv/ct/web1.upper
  lower: [/srv/img/base, /srv/img/app]
  work: /srv/ct/web1.work
hostname: web1.example
namespaces: [mnt, uts, ipc, pid, network, user, {type: cgroup, path: /proc/1/ns/cgroup}, time]
uid_map:
  - {container_id: 0, host_id: 100000, size: 65536}
  - {container_id: 65536, host_id: 1000, size: 1}
gid_map: [{container_id: 0, host_id: 200000, size: 65536}]
process:
  args: [/bin/sh, -c, 'echo "hi"; sleep 10']
  env: [PATH=/bin:/usr/bin, LANG=C.UTF-8]
  cwd: /srv
  user: {uid: 1000, gid: 1001, additional_gids: [27, 100]}
  terminal: true
  no_new_privileges: true
  parent_death_signal: 9
  rlimits:
    - {type: nofile, soft: 1024, hard: 4096}
    - {type: core, soft: 0, hard: 0}
  capabilities: [CAP_NET_ADMIN, sys_time]
  umask: "0027"
  oom_score_adj: -500
  console_size: {rows: 24, cols: 80}
resources:
  memory: 64M
  memory_swap: 128MiB
  pids: 100
  cpu: {shares: 512, quota_us: 50000, period_us: 100000, cpus: "0-1", mems: "0",
        rt_runtime_us: 5000, rt_period_us: 10000, idle: 1, burst_us: 20000}
  io_weight: 200
  memory_reservation: 32M
  memory_swappiness: 10
  oom_kill_disable: true
  io:
    weight_device: [{major: 254, minor: 0, value: 500}]
    read_bps: [{major: 254, minor: 0, value: 1048576}]
    write_bps: [{major: 254, minor: 0, value: 2097152}]
    read_iops: [{major: 254, minor: 0, value: 100}]
    write_iops: [{major: 254, minor: 16, value: 200}]
  hugepages:
    - {page_size: 2MB, limit: 4M}
    - {page_size: 1GB, limit: max}
  unified: {memory.high: max, pids.max: 50}
  devices:
    - {allow: false}
    - {type: c, major: 10, minor: 229, access: rw}
mounts:
  - {source: /srv/data, target: /data, type: bind, options: [ro, nosuid]}
  - source: tmpfs
    target: /tmp
    type: tmpfs
    hooks:
      pre: [{path: /bin/mkdir, args: [mkdir, -p, /srv/tmp], timeout: 3}]
      post: [{path: /bin/true, env: [B=2]}]
  - {target: /sys/fs/cgroup, type: cgroup}
  - source: /srv/shared
    target: /shared
    type: bind
    options: [ridmap]
    uid_map: [{container_id: 0, host_id: 100000, size: 65536}]
    gid_map: [{container_id: 0, host_id: 100000, size: 65536}]
devices:
  - {path: /dev/fuse, major: 10, minor: 229, mode: 0660, gid: 5}
  - {path: /dev/loop9, type: b, major: 7, minor: 9, mode: "600"}
network:
  - type: veth
    name: eth0
    host_name: veth-web1
    bridge: br0
    mac: "02:00:00:00:00:01"
    mtu: 1400
    host_mac: "02:00:00:00:01:01"
    addresses: [10.0.0.2/24, "fd00::2/64"]
    gateway: 10.0.0.1
    routes:
      - {dst: 10.1.0.0/16, via: 10.0.0.254, metric: 10}
      - {dst: "fd01::/64"}
  - {type: vlan, name: eth1, link: eno1, vlan_id: 42}
  - {type: macvlan, name: eth2, link: eno1, mode: bridge}
sysctl:
  net.ipv4.ip_forward: 1
  kernel.shmmax: "65536"
cgroups: [freezer, name=libct]
annotations: {owner: ops, tier: front}
hooks:
  create_runtime: [{path: /usr/bin/net-setup, args: [net-setup, up], env: [A=1], timeout: 5}]
  start_container: [{path: /bin/true}]
  poststop: [{path: /usr/bin/net-setup, args: [net-setup, down]}]
cgroup_path: machine/web1
bundle: /srv/bundles/web1
personality: linux32
rootfs_propagation: rshared
time_offsets:
  monotonic: {secs: 86400, nanosecs: 5}
  boottime: {secs: -3600}
inherit_keyring: true
)";
    return y;
}

}  // namespace ct::test
