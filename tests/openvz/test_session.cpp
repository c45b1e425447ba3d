// The openvz session on a legacy host (vzctl 4.x) with a recorder in place of process spawning:
// every operation's vzctl, vzlist and vzmigrate command lines are checked against the expected
// argv, and what OpenVZ cannot do is refused before anything runs. The host's files come from
// fixtures copied into a private root (openvz:///?root=...). OpenVZ 7: test_session_vz7.cpp.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "session_fixture.hpp"

using namespace ct::openvz;
using namespace ct::openvz::test;

TEST_F(Session, CreateFromATemplate) {
    s->create(ct::doc::encode_spec(template_spec()));
    EXPECT_EQ(log->calls,
              (Calls{{V, "create", "7001", "--ostemplate", "centos-7-x86_64", "--config",
                      "vswap-1g", "--layout", "ploop", "--diskspace", "10G"},
                     {V,
                      "set",
                      "7001",
                      "--hostname",
                      "web",
                      "--ipadd",
                      "10.0.0.2",
                      "--ipadd",
                      "fd00::2/64",
                      "--nameserver",
                      "8.8.8.8",
                      "--searchdomain",
                      "example.com",
                      "--netif_add",
                      "eth0,02:00:00:00:70:01,veth7001.0,,vmbr0",
                      "--netdev_add",
                      "eth3",
                      "--ram",
                      "512M",
                      "--swap",
                      "512M",
                      "--numproc",
                      "100:100",
                      "--cpuunits",
                      "500",
                      "--cpulimit",
                      "50",
                      "--cpumask",
                      "0-1",
                      "--diskinodes",
                      "200000:200000",
                      "--cpus",
                      "2",
                      "--ioprio",
                      "6",
                      "--onboot",
                      "yes",
                      "--kmemsize",
                      "14M:16M",
                      "--numtcpsock",
                      "360",
                      "--save"}}));
    auto st = StateStore(root + "/var/lib/ct/openvz").load("7001");
    ASSERT_TRUE(st);
    EXPECT_FALSE(st->adopted);
    EXPECT_FALSE(st->started);
    EXPECT_EQ(*st->spec, template_spec());
}

TEST_F(Session, CreateRollsBackWhenSetFails) {
    log->respond = [](const Argv &a) -> std::optional<RunResult> {
        if (a[1] == "set") return exited(21, "", "Invalid value for --cpumask: 0-1\n");
        return std::nullopt;
    };
    auto [code, msg] = error_of([&] { s->create(ct::doc::encode_spec(template_spec())); });
    EXPECT_EQ(code, ct::Errc::backend);
    EXPECT_NE(msg.find("vzctl set 7001"), std::string::npos) << msg;
    EXPECT_NE(msg.find("exit code 21: Invalid value for --cpumask: 0-1"), std::string::npos) << msg;
    ASSERT_EQ(log->calls.size(), 3u);
    EXPECT_EQ(log->calls[2], (Argv{V, "destroy", "7001"}));
    EXPECT_FALSE(fs::exists(state_dir("7001")));
}

TEST_F(Session, CreateFromAnExistingDirectory) {
    std::string files = root + "/srv/ct 7002";
    fs::create_directories(files + "/etc");
    ct::Spec sp;
    sp.name = "7002";
    sp.rootfs = files;
    sp.openvz = ct::OpenVzSpec{};  // an OpenVZ spec: no command needed, the OS init boots
    sp.hostname = "box";
    sp.resources.memory = int64_t{256} << 20;
    s->create(ct::doc::encode_spec(sp));
    EXPECT_EQ(log->calls,
              (Calls{{V, "set", "7002", "--hostname", "box", "--ram", "256M", "--save"}}));
    std::string conf = slurp(root + "/etc/vz/conf/7002.conf");
    // The sample named by vz.conf's CONFIGFILE, then the area, appended: the last value wins.
    EXPECT_EQ(conf.rfind(slurp(root + "/etc/vz/conf/ve-basic.conf-sample"), 0), 0u);
    Conf c = Conf::parse(conf);
    EXPECT_EQ(c.get("VE_PRIVATE"), files);
    EXPECT_EQ(c.get("VE_ROOT"), "/vz/root/$VEID");
    EXPECT_EQ(c.get("ORIGIN_SAMPLE"), "basic");
    EXPECT_TRUE(StateStore(root + "/var/lib/ct/openvz").load("7002")->adopted);
}

TEST_F(Session, CreateFromAPrivateAreaWithAMountPoint) {
    fs::create_directories(root + "/area");
    ct::Spec sp;
    sp.name = "7003";
    sp.private_area = {"dir", root + "/area", {}, {}};
    sp.rootfs = "/vz/root/7003";
    sp.openvz = ct::OpenVzSpec{};
    sp.openvz->config = "basic";
    s->create(ct::doc::encode_spec(sp));
    EXPECT_TRUE(log->calls.empty());  // nothing left for vzctl set
    Conf c = Conf::load(root + "/etc/vz/conf/7003.conf");
    EXPECT_EQ(c.get("VE_PRIVATE"), root + "/area");
    EXPECT_EQ(c.get("VE_ROOT"), "/vz/root/7003");
    EXPECT_EQ(c.get("KMEMSIZE"), "14372700:14790164");  // from ve-basic.conf-sample
}

TEST_F(Session, CreateFromADirectoryRollsBack) {
    fs::create_directories(root + "/area");
    ct::Spec sp;
    sp.name = "7004";
    sp.rootfs = root + "/area";
    sp.process.args = {"/usr/sbin/nginx"};
    sp.hostname = "h";
    log->respond = [](const Argv &) -> std::optional<RunResult> { return exited(3, "", "boom"); };
    EXPECT_EQ(error_of([&] { s->create(ct::doc::encode_spec(sp)); }).first, ct::Errc::backend);
    EXPECT_FALSE(fs::exists(root + "/etc/vz/conf/7004.conf"));
    EXPECT_TRUE(fs::exists(root + "/area"));
    EXPECT_FALSE(fs::exists(state_dir("7004")));

    sp.rootfs = root + "/missing";
    auto [code, msg] = error_of([&] { s->create(ct::doc::encode_spec(sp)); });
    EXPECT_EQ(code, ct::Errc::not_found);
    EXPECT_NE(msg.find("rootfs " + root + "/missing"), std::string::npos) << msg;
    sp.rootfs = root + "/area";
    sp.openvz = ct::OpenVzSpec{};
    sp.openvz->config = "nosuch";
    EXPECT_EQ(error_of([&] { s->create(ct::doc::encode_spec(sp)); }).first, ct::Errc::not_found);
    EXPECT_FALSE(fs::exists(root + "/etc/vz/conf/7004.conf"));
}

TEST_F(Session, CreateRefusesBeforeRunningAnything) {
    ct::Spec sp = template_spec();
    sp.name = "101";  // fixtures/etc/vz/conf/101.conf
    EXPECT_EQ(error_of([&] { s->create(ct::doc::encode_spec(sp)); }).first, ct::Errc::exists);
    sp.name = "web1";
    EXPECT_EQ(error_of([&] { s->create(ct::doc::encode_spec(sp)); }).first,
              ct::Errc::invalid_argument);

    struct Case {
        std::function<void(ct::Spec &)> edit;
        std::string field;
    };
    std::vector<Case> cases = {
        {[](ct::Spec &x) {
             x.hostname.clear();
             x.network.clear();
             x.namespaces = std::vector<ct::NamespaceSpec>{{ct::Namespace::mount, {}}};
         },
         "namespaces without 'uts'"},
        {[](ct::Spec &x) {
             x.namespaces = ct::default_namespaces();
             x.namespaces->push_back({ct::Namespace::time, {}});
         },
         "namespaces[6] 'time'"},
        {[](ct::Spec &x) {
             x.namespaces = ct::default_namespaces();
             (*x.namespaces)[2].path = "/proc/1/ns/ipc";
         },
         "namespaces[2]"},
        {[](ct::Spec &x) { x.readonly_rootfs = true; }, "readonly_rootfs"},
        {[](ct::Spec &x) { x.personality = "linux32"; }, "personality"},
        {[](ct::Spec &x) { x.inherit_keyring = true; }, "inherit_keyring"},
        {[](ct::Spec &x) { x.rootfs_propagation = "rshared"; }, "rootfs_propagation"},
        {[](ct::Spec &x) {
             x.mounts.push_back({"/srv", "/srv", "bind", {}});
         },
         "mounts"},
        {[](ct::Spec &x) { x.sysctl["net.ipv4.ip_forward"] = "1"; }, "sysctl"},
        {[](ct::Spec &x) { x.process.user.uid = 1000; }, "process.user"},
        {[](ct::Spec &x) {
             x.process.rlimits.push_back({"nofile", 10, 10});
         },
         "process.rlimits"},
        {[](ct::Spec &x) { x.process.capabilities = ct::Capabilities{}; }, "process.capabilities"},
        {[](ct::Spec &x) { x.process.user.name = "www-data"; }, "process.user"},
        {[](ct::Spec &x) {
             x.resources.devices.push_back({true, "c", 10, 229, "rwm"});
         },
         "resources.devices"},
        {[](ct::Spec &x) {
             x.devices.push_back({"/dev/fuse", "c", 10, 229, 0666, 0, 0});
         },
         "devices"},
        {[](ct::Spec &x) {
             x.network[0].routes.push_back({"10.2.0.0/16", "", 0});
         },
         "network[0].routes"},
        {[](ct::Spec &x) { x.process.no_new_privileges = true; }, "process.no_new_privileges"},
        {[](ct::Spec &x) { x.resources.io_weight = 100; }, "resources.io_weight"},
        {[](ct::Spec &x) { x.resources.cpu.shares = 4; }, "resources.cpu.shares 4"},
        {[](ct::Spec &x) { x.network[0].addresses = {"10.0.0.2/24"}; }, "network[0].addresses"},
        {[](ct::Spec &x) { x.network[0].mtu = 9000; }, "network[0].mtu"},
        {[](ct::Spec &x) { x.network[1].name = "eth9"; }, "network[1].name"},
        {[](ct::Spec &x) {
             x.network.push_back({"macvlan", "mv0", "", "eth0", "", "", 0, 0, "bridge", {}, ""});
         },
         "network[2].type 'macvlan'"},
        {[](ct::Spec &x) {
             x.private_area = {"overlay", "/u", {"/l"}, "/w"};
         },
         "private.type 'overlay'"},
    };
    for (const auto &c : cases) {
        ct::Spec x = template_spec();
        c.edit(x);
        auto [code, msg] = error_of([&] { s->create(ct::doc::encode_spec(x)); });
        EXPECT_EQ(code, ct::Errc::unsupported) << c.field << ": " << msg;
        EXPECT_EQ(msg.rfind(c.field + " is not supported by backend openvz: ", 0), 0u) << msg;
    }
    EXPECT_TRUE(log->calls.empty());
    EXPECT_FALSE(fs::exists(root + "/var/lib/ct/openvz/7001"));
}

TEST_F(Session, StartsASystemContainerAndFindsItsInit) {
    // Container 2: an ID up to 100 is a container like any other.
    log->status["2"] = "exist unmounted down";
    EXPECT_EQ(s->start("2", no_args()), 24571);  // fixtures/proc/24571/status: envID 2, VPid 1
    EXPECT_EQ(log->calls, (Calls{{V, "status", "2"}, {V, "start", "2", "--wait"}}));
    EXPECT_TRUE(log->spawns.empty());
    log->status["2"] = "exist mounted running";
    EXPECT_EQ(error_of([&] { s->start("2", no_args()); }).first, ct::Errc::bad_state);
    log->status["2"] = "exist unmounted down suspended";
    EXPECT_EQ(error_of([&] { s->start("2", no_args()); }).first, ct::Errc::bad_state);
    EXPECT_EQ(error_of([&] { s->start("7777", no_args()); }).first, ct::Errc::not_found);
}

TEST_F(Session, StartsAnApplicationContainer) {
    log->status["101"] = "exist unmounted down";
    ct::ProcessSpec p;
    p.args = {"/bin/echo", "hello world", "it's"};
    p.env = {"PATH=/bin:/usr/bin", "GREETING=a b"};
    p.cwd = "/srv/app";
    std::string doc = ct::doc::encode_process(p);
    ct_proc_args a = no_args();
    a.process_doc = doc.c_str();
    a.stdout_fd = 1;
    a.stderr_fd = 2;
    EXPECT_EQ(s->start("101", a), 4000);
    std::string line =
        "cd /srv/app && exec env -i PATH=/bin:/usr/bin 'GREETING=a b' /bin/echo 'hello world' "
        "'it'\\''s'";
    EXPECT_EQ(
        log->calls,
        (Calls{{V, "status", "101"}, {V, "start", "101", "--wait"}, {V, "exec2", "101", line}}));
    ASSERT_EQ(log->spawns.size(), 1u);
    const auto &r = log->spawns[0];
    EXPECT_EQ(r.after, (Argv{V, "stop", "101", "--fast"}));
    EXPECT_EQ(r.exit_dir, state_dir("101") + "/proc");
    EXPECT_EQ(r.in, -1);
    EXPECT_EQ(r.out, 1);
    EXPECT_EQ(r.err, 2);
    EXPECT_EQ(StateStore(root + "/var/lib/ct/openvz").load("101")->init_pid, 4000);
    // Its info reports the command as init while it runs.
    log->status["101"] = "exist mounted running";
    auto info = ct::doc::info_from_json(ct::doc::parse(s->info("101"), "info"));
    EXPECT_EQ(info.pid, 4000);
    EXPECT_EQ(info.details["mode"], "application");
}

TEST_F(Session, StartRefusesUnsupportedProcessesBeforeBooting) {
    log->status["101"] = "exist unmounted down";
    ct::ProcessSpec p;
    p.args = {"sh"};
    p.user.uid = 33;
    std::string doc = ct::doc::encode_process(p);
    ct_proc_args a = no_args();
    a.process_doc = doc.c_str();
    auto [code, msg] = error_of([&] { s->start("101", a); });
    EXPECT_EQ(code, ct::Errc::unsupported);
    EXPECT_EQ(msg.rfind("process.user is not supported by backend openvz", 0), 0u) << msg;
    p.user.uid = 0;
    p.terminal = true;
    doc = ct::doc::encode_process(p);
    a.process_doc = doc.c_str();
    EXPECT_EQ(error_of([&] { s->start("101", a); }).first, ct::Errc::invalid_argument);
    EXPECT_EQ(log->calls, (Calls{{V, "status", "101"}, {V, "status", "101"}}));
}

TEST_F(Session, ExecRunsVzctlExec2OrEnterForATerminal) {
    log->status["101"] = "exist mounted running";
    ct::ProcessSpec p;
    p.args = {"ls", "-l"};
    std::string doc = ct::doc::encode_process(p);
    ct_proc_args a = no_args();
    a.process_doc = doc.c_str();
    int fds[2] = {5, 6};
    a.fds = fds;
    a.nfds = 2;
    EXPECT_EQ(s->exec("101", a), 4000);
    EXPECT_EQ(log->spawns.back().argv, (Argv{V, "exec2", "101", "exec ls -l"}));
    EXPECT_EQ(log->spawns.back().fds, (std::vector<int>{5, 6}));
    EXPECT_TRUE(log->spawns.back().after.empty());

    p.terminal = true;
    doc = ct::doc::encode_process(p);
    a = no_args();
    a.process_doc = doc.c_str();
    EXPECT_EQ(error_of([&] { s->exec("101", a); }).first, ct::Errc::invalid_argument);
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    a.console_socket = sv[0];
    EXPECT_EQ(s->exec("101", a), 4001);
    // vzctl 4.x types --exec's words into the container's login shell: the line prints markers
    // around the command, by which the relay drops banner and echo and reads the exit status.
    const auto &r = log->spawns.back();
    ASSERT_EQ(r.argv.size(), 5u);
    EXPECT_EQ(r.argv[0], V);
    EXPECT_EQ(r.argv[1], "enter");
    EXPECT_EQ(r.argv[2], "101");
    EXPECT_EQ(r.argv[3], "--exec");
    EXPECT_NE(r.argv[4].find("; (exec ls -l); "), std::string::npos) << r.argv[4];
    EXPECT_TRUE(r.relay.on);
    EXPECT_EQ(r.relay.typed, "");  // vzctl types it
    EXPECT_EQ(r.relay.begin.rfind("__libct_begin_", 0), 0u);
    EXPECT_EQ(r.relay.end.rfind("__libct_end_", 0), 0u);
    EXPECT_GE(r.tty, 0);
    // The terminal's master side went to the console socket.
    char byte;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl;
    msg.msg_controllen = sizeof ctl;
    ASSERT_EQ(::recvmsg(sv[1], &msg, 0), 1);
    int master;
    std::memcpy(&master, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof master);
    EXPECT_TRUE(::isatty(master));
    ::close(master);
    ::close(sv[0]);
    ::close(sv[1]);

    log->status["101"] = "exist unmounted down";
    EXPECT_EQ(error_of([&] { s->exec("101", a); }).first, ct::Errc::bad_state);
}

TEST_F(Session, KillMapsSignalsOntoVzctl) {
    log->status["101"] = "exist mounted running";
    s->kill("101", 0, SIGTERM, 0);
    s->kill("101", 0, SIGKILL, 0);
    s->kill("101", 0, SIGINT, 0);
    s->kill("101", 0, SIGHUP, 0);
    s->kill("101", 0, SIGUSR1, CT_KILL_ALL);
    s->kill("101", 0, SIGTERM, CT_KILL_ALL);
    Calls expect;
    for (Argv a : {Argv{V, "stop", "101"}, Argv{V, "stop", "101", "--fast"},
                   Argv{V, "restart", "101", "--wait"}, Argv{V, "exec2", "101", "kill -1 1"},
                   Argv{V, "exec2", "101", "kill -10 -1"}, Argv{V, "stop", "101"}}) {
        expect.push_back({V, "status", "101"});
        expect.push_back(a);
    }
    EXPECT_EQ(log->calls, expect);
    EXPECT_EQ(error_of([&] { s->kill("101", 0, 0, 0); }).first, ct::Errc::invalid_argument);
    EXPECT_EQ(error_of([&] { s->kill("101", 4242, SIGTERM, 0); }).first, ct::Errc::not_found);
    log->status["101"] = "exist unmounted down";
    EXPECT_EQ(error_of([&] { s->kill("101", 0, SIGTERM, 0); }).first, ct::Errc::bad_state);
}

TEST_F(Session, PauseIsSuspendResumeIsResume) {
    log->status["101"] = "exist mounted running";
    s->pause("101");
    EXPECT_EQ(error_of([&] { s->resume("101"); }).first, ct::Errc::bad_state);
    log->status["101"] = "exist unmounted down suspended";
    auto info = ct::doc::info_from_json(ct::doc::parse(s->info("101"), "info"));
    EXPECT_EQ(info.state, ct::State::paused);
    s->resume("101");
    EXPECT_EQ(error_of([&] { s->pause("101"); }).first, ct::Errc::bad_state);
    EXPECT_EQ(log->calls, (Calls{{V, "status", "101"},
                                 {V, "suspend", "101"},
                                 {V, "status", "101"},
                                 {V, "status", "101"},
                                 {V, "status", "101"},
                                 {V, "resume", "101"},
                                 {V, "status", "101"}}));
}

TEST_F(Session, UpdateSetsOnlyTheGivenLimits) {
    s->create(ct::doc::encode_spec(template_spec()));
    log->calls.clear();
    log->status["7001"] = "exist mounted running";
    s->update("7001", R"({"memory": "1G", "cpu": {"quota_us": -1}, "pids": -1})");
    EXPECT_EQ(log->calls, (Calls{{V, "status", "7001"},
                                 {V, "set", "7001", "--ram", "1G", "--numproc", "unlimited",
                                  "--cpulimit", "0", "--save"}}));
    auto spec = StateStore(root + "/var/lib/ct/openvz").load("7001")->spec;
    EXPECT_EQ(spec->resources.memory, int64_t{1} << 30);
    EXPECT_EQ(spec->resources.pids, -1);
    EXPECT_EQ(spec->resources.cpu.shares, 500u);  // untouched
    EXPECT_EQ(error_of([&] { s->update("7001", R"({"memory": 100})"); }).first,
              ct::Errc::invalid_spec);
    EXPECT_EQ(error_of([&] { s->update("7001", R"({"io_weight": 100})"); }).first,
              ct::Errc::unsupported);
}

TEST_F(Session, StatsFromBeancountersAndVestat) {
    // Container 1: the VSwap sample's beancounters and vestat.hz1000's first row
    // (fixtures/README.md).
    log->status["1"] = "exist mounted running";
    auto st = ct::doc::stats_from_json(ct::doc::parse(s->stats("1"), "stats"));
    EXPECT_EQ(st.memory.usage, 251234u * 4096);
    EXPECT_EQ(st.memory.max_usage, 268004u * 4096);
    EXPECT_EQ(st.memory.limit, int64_t{524288} * 4096);
    EXPECT_EQ(st.memory.failcnt, 5u);
    EXPECT_EQ(st.pids.current, 57u);
    EXPECT_EQ(st.pids.limit, 480);
    // Jiffies at the kernel's HZ (1000, from the uptime columns), not USER_HZ.
    EXPECT_EQ(st.cpu.user_ns, 63191000000u);
    EXPECT_EQ(st.cpu.system_ns, 131902000000u);
    EXPECT_EQ(st.cpu.usage_ns, 195093000000u);
    ASSERT_EQ(st.beancounters.size(), 20u);
    EXPECT_EQ(st.beancounters["tcpsndbuf"].failcnt, 98231744u);
    EXPECT_EQ(st.beancounters["kmemsize"].barrier, -1);

    // Container 2, pre-VSwap: physpages unlimited (LONG_MAX), privvmpages' barrier is the memory
    // limit (the kernel checks ordinary allocations against it).
    log->status["2"] = "exist mounted running";
    auto old = ct::doc::stats_from_json(ct::doc::parse(s->stats("2"), "stats"));
    EXPECT_EQ(old.memory.limit, int64_t{65536} * 4096);
    EXPECT_EQ(old.memory.usage, 41877u * 4096);
    EXPECT_EQ(old.memory.failcnt, 4u);  // privvmpages' refusals
    EXPECT_EQ(old.beancounters["numothersock"].failcnt, 9u);
    EXPECT_EQ(old.cpu.system_ns, 438907000000u);
    // Container 101: physpages "unlimited" as 2147483647 is no 8 TiB limit either.
    log->status["101"] = "exist mounted running";
    auto intmax = ct::doc::stats_from_json(ct::doc::parse(s->stats("101"), "stats"));
    EXPECT_EQ(intmax.memory.limit, int64_t{49152} * 4096);
    EXPECT_EQ(intmax.beancounters["physpages"].limit, -1);

    auto ps = ct::doc::processes_from_json(ct::doc::parse(s->processes("1"), "ps"));
    ASSERT_EQ(ps.size(), 2u);
    EXPECT_EQ(ps[1].command, "sshd");
    log->status["1"] = "exist unmounted down";
    EXPECT_EQ(error_of([&] { s->stats("1"); }).first, ct::Errc::bad_state);
}

TEST_F(Session, StatsRefuseAVestatThatFitsNoHz) {
    log->status["1"] = "exist mounted running";
    std::ofstream(root + "/proc/vz/vestat")
        << "Version: 2.2\nVEID user nice system uptime idle strv uptime used maxlat totlat "
           "numsched\n1 4172 25 2951 61389733 1464614327556 0 1489081958004 24467630448 0 0 0\n";
    auto [code, msg] = error_of([&] { s->stats("1"); });
    EXPECT_EQ(code, ct::Errc::backend);
    EXPECT_NE(msg.find("fit no kernel HZ"), std::string::npos) << msg;
}

TEST_F(Session, StatsOfA2618KernelReadTheCyclesAtTheCpusClock) {
    // The second uptime column in TSC cycles (2.6.18 kernels): with the CPU's clock from
    // /proc/cpuinfo, HZ is found (1000 here) and CPU times are right.
    log->status["1"] = "exist mounted running";
    std::ofstream(root + "/proc/vz/vestat")
        << "Version: 2.2\nVEID user nice system uptime idle strv uptime used maxlat totlat "
           "numsched\n1 5000 0 2500 86400000 0 0 259200000000000 0 0 0 0\n";
    EXPECT_EQ(error_of([&] { s->stats("1"); }).first, ct::Errc::backend);  // no cpuinfo yet
    std::ofstream(root + "/proc/cpuinfo") << "processor\t: 0\ncpu MHz\t\t: 3000.000\n";
    auto st = ct::doc::stats_from_json(ct::doc::parse(s->stats("1"), "stats"));
    EXPECT_EQ(st.cpu.user_ns, 5000000000u);
    EXPECT_EQ(st.cpu.system_ns, 2500000000u);
}

TEST_F(Session, CheckpointAndRestore) {
    log->status["101"] = "exist mounted running";
    std::string dir = root + "/images/cp1";
    s->checkpoint(
        "101", R"({"dir": ")" + dir +
                   R"(", "leave_running": false, "tcp_established": true, "file_locks": false})");
    EXPECT_EQ(log->calls.back(), (Argv{V, "chkpnt", "101", "--dumpfile", dir + "/openvz.dump"}));
    EXPECT_TRUE(fs::exists(dir + "/openvz.json"));

    log->calls.clear();
    s->checkpoint("101", R"({"dir": ")" + dir + R"(", "leave_running": true})");
    EXPECT_EQ(log->calls, (Calls{{V, "status", "101"},
                                 {V, "chkpnt", "101", "--suspend"},
                                 {V, "chkpnt", "101", "--dump", "--dumpfile", dir + "/openvz.dump"},
                                 {V, "chkpnt", "101", "--resume"}}));
    // A failed dump still thaws the container.
    log->calls.clear();
    log->respond = [](const Argv &a) -> std::optional<RunResult> {
        if (a.size() > 3 && a[3] == "--dump") return exited(16, "", "Can not dump container");
        return std::nullopt;
    };
    EXPECT_EQ(error_of([&] {
                  s->checkpoint("101", R"({"dir": ")" + dir + R"(", "leave_running": true})");
              }).first,
              ct::Errc::backend);
    EXPECT_EQ(log->calls.back(), (Argv{V, "chkpnt", "101", "--resume"}));
    EXPECT_TRUE(fs::exists(dir));  // it was there before: only the images go
    EXPECT_FALSE(fs::exists(dir + "/openvz.json"));
    std::string fresh = root + "/images/fresh";
    EXPECT_EQ(error_of([&] {
                  s->checkpoint("101", R"({"dir": ")" + fresh + R"(", "leave_running": true})");
              }).first,
              ct::Errc::backend);
    EXPECT_FALSE(fs::exists(fresh));
    log->respond = nullptr;
    s->checkpoint("101", R"({"dir": ")" + dir + R"("})");
    EXPECT_EQ(error_of([&] { s->checkpoint("101", R"({"dir": "x", "pre_dump": true})"); }).first,
              ct::Errc::invalid_argument);

    log->calls.clear();
    log->status["101"] = "exist unmounted down";
    s->restore("101", R"({"dir": ")" + dir + R"(", "detach": true, "stdio": [0, 1, 2]})");
    EXPECT_EQ(log->calls, (Calls{{V, "status", "101"},
                                 {V, "restore", "101", "--dumpfile", dir + "/openvz.dump"}}));
    log->status["2"] = "exist unmounted down";
    auto [code, msg] = error_of([&] { s->restore("2", R"({"dir": ")" + dir + R"("})"); });
    EXPECT_EQ(code, ct::Errc::unsupported);
    EXPECT_NE(msg.find("101's checkpoint as 2"), std::string::npos) << msg;
    EXPECT_EQ(error_of([&] { s->restore("101", R"({"dir": "/nonexistent"})"); }).first,
              ct::Errc::not_found);
    // Another configuration: not what a vzctl dump can be restored under; refused, not ignored.
    log->calls.clear();
    auto [spec_code, spec_msg] = error_of(
        [&] { s->restore("101", R"({"dir": ")" + dir + R"(", "spec": {"rootfs": "/x"}})"); });
    EXPECT_EQ(spec_code, ct::Errc::unsupported);
    EXPECT_NE(spec_msg.find("not supported by backend openvz"), std::string::npos) << spec_msg;
    EXPECT_EQ(log->calls, Calls{});
}

TEST_F(Session, MigrateRunsVzmigrate) {
    log->status["101"] = "exist mounted running";
    s->migrate(
        "101",
        R"({"to": "openvz+ssh://root@node2:2222/?identity=/root/.ssh/id_vz&host_key=accept-new", "leave_running": false, "tcp_established": true})");
    // vzmigrate 4.x logs in as root@<destination> itself: never root@root@node2.
    EXPECT_EQ(log->calls.back(),
              (Argv{M, "--online",
                    "--ssh=-p 2222 -i /root/.ssh/id_vz -o StrictHostKeyChecking=accept-new",
                    "node2", "101"}));
    log->status["2"] = "exist unmounted down";
    s->migrate("2", R"({"to": "openvz+ssh://node3/"})");
    EXPECT_EQ(log->calls.back(), (Argv{M, "node3", "2"}));
    log->calls.clear();
    auto [code, msg] = error_of([&] { s->migrate("2", R"({"to": "openvz+ssh://admin@node3/"})"); });
    EXPECT_EQ(code, ct::Errc::invalid_argument);
    EXPECT_NE(msg.find("always logs in as root"), std::string::npos) << msg;
    log->status["101"] = "exist unmounted down suspended";
    EXPECT_EQ(error_of([&] { s->migrate("101", R"({"to": "openvz+ssh://n/"})"); }).first,
              ct::Errc::bad_state);
    log->status["101"] = "exist mounted running";

    log->calls.clear();
    EXPECT_EQ(error_of([&] {
                  s->migrate("101", R"({"to": "openvz+ssh://n/", "leave_running": true})");
              }).first,
              ct::Errc::unsupported);
    EXPECT_EQ(error_of([&] { s->migrate("101", R"({"to": "openvz:///"})"); }).first,
              ct::Errc::invalid_argument);
    EXPECT_EQ(error_of([&] { s->migrate("101", R"({"to": "linux+ssh://n/"})"); }).first,
              ct::Errc::unsupported);
    EXPECT_TRUE(log->calls.empty());
}

TEST_F(Session, ListsEveryContainerWithItsState) {
    fs::copy_file(root + "/etc/vz/conf/2.conf", root + "/etc/vz/conf/100.conf");
    log->respond = [](const Argv &a) -> std::optional<RunResult> {
        if (a[0] == L)
            return exited(0,
                          "       101 running\n         2 stopped\n         1 running\n"
                          "       100 suspended\n");
        return std::nullopt;
    };
    auto j = ct::doc::parse(s->list(), "list");
    // vzlist 4.x and 7.x both take these options (7.x has no -t).
    EXPECT_EQ(log->calls, (Calls{{L, "-a", "-H", "-o", "ctid,status"}}));
    ASSERT_EQ(j.size(), 4u);
    auto a = ct::doc::info_from_json(j[0]);
    EXPECT_EQ(a.name, "101");
    EXPECT_EQ(a.state, ct::State::running);
    EXPECT_EQ(a.pid, 24690);
    EXPECT_EQ(ct::doc::info_from_json(j[1]).state, ct::State::stopped);
    EXPECT_EQ(ct::doc::info_from_json(j[2]).name, "1");  // IDs up to 100 are listed
    EXPECT_EQ(ct::doc::info_from_json(j[2]).pid, 3303);
    EXPECT_EQ(ct::doc::info_from_json(j[3]).state, ct::State::paused);

    // vzlist 4.x with no containers: "Container(s) not found" on stderr, exit 0.
    log->respond = [](const Argv &a) -> std::optional<RunResult> {
        if (a[0] == L) return exited(0, "", "Container(s) not found\n");
        return std::nullopt;
    };
    EXPECT_EQ(ct::doc::parse(s->list(), "list").size(), 0u);
    // ... with exit code 1 from vzlist before 4.x.
    log->respond = [](const Argv &a) -> std::optional<RunResult> {
        if (a[0] == L) return exited(1, "", "Container(s) not found\n");
        return std::nullopt;
    };
    EXPECT_EQ(ct::doc::parse(s->list(), "list").size(), 0u);
    // Anything else on stderr with no containers is an error, never an empty list.
    log->respond = [](const Argv &a) -> std::optional<RunResult> {
        if (a[0] == L)
            return exited(0, "", "vzlist: invalid option -- 't'\nUsage: vzlist [-a|-S] ...\n");
        return std::nullopt;
    };
    auto [code, msg] = error_of([&] { s->list(); });
    EXPECT_EQ(code, ct::Errc::backend);
    EXPECT_NE(msg.find("Usage: vzlist"), std::string::npos) << msg;
}

TEST_F(Session, InfoDescribesContainersMadeWithVzctl) {
    // 101.conf: made from the vswap-256m sample, simfs.
    log->status["101"] = "exist unmounted down";
    auto i = ct::doc::info_from_json(ct::doc::parse(s->info("101"), "info"));
    EXPECT_EQ(i.state, ct::State::stopped);
    EXPECT_EQ(i.backend, "openvz");
    EXPECT_EQ(i.spec.hostname, "www.example.org");
    EXPECT_EQ(i.spec.rootfs, "/var/lib/vz/root/101");
    EXPECT_EQ(i.spec.private_area.path, "/var/lib/vz/private/101");
    EXPECT_EQ(i.spec.resources.memory, int64_t{256} << 20);
    EXPECT_EQ(i.spec.resources.memory_swap, int64_t{768} << 20);
    EXPECT_EQ(i.spec.resources.cpu.shares, 1000u);
    ASSERT_TRUE(i.spec.openvz);
    EXPECT_EQ(i.spec.openvz->ostemplate, "centos-7-x86_64");
    EXPECT_EQ(i.spec.openvz->layout, "simfs");
    EXPECT_EQ(i.spec.openvz->ip, (std::vector<std::string>{"10.1.0.101/24"}));
    EXPECT_EQ(i.spec.openvz->nameservers, (std::vector<std::string>{"10.1.0.1"}));
    EXPECT_TRUE(i.spec.network.empty());
    EXPECT_EQ(i.details["ve_private"], "/var/lib/vz/private/101");
    EXPECT_EQ(i.details["mode"], "system");
    EXPECT_EQ(i.details["vzctl"], "vzctl 4.11 (legacy OpenVZ)");

    // Container 1: a veth on a bridge.
    log->status["1"] = "exist mounted running";
    auto one = ct::doc::info_from_json(ct::doc::parse(s->info("1"), "info"));
    EXPECT_EQ(one.state, ct::State::running);
    EXPECT_EQ(one.pid, 3303);
    EXPECT_EQ(one.spec.resources.memory, int64_t{1} << 30);
    EXPECT_EQ(one.spec.resources.memory_swap, int64_t{3} << 29);
    ASSERT_EQ(one.spec.network.size(), 1u);
    EXPECT_EQ(one.spec.network[0].name, "eth0");
    EXPECT_EQ(one.spec.network[0].host_name, "veth1.eth0");
    EXPECT_EQ(one.spec.network[0].bridge, "br0");
    EXPECT_EQ(one.spec.network[0].mac, "00:18:51:3C:7A:10");

    // Container 2, a UBC-style conf: its memory limit is privvmpages' barrier, its pids
    // numproc's.
    log->status["2"] = "exist unmounted down";
    auto two = ct::doc::info_from_json(ct::doc::parse(s->info("2"), "info"));
    EXPECT_EQ(two.spec.resources.memory, int64_t{65536} * 4096);
    EXPECT_EQ(two.spec.resources.pids, 240);
    EXPECT_EQ(two.spec.hostname, "ct2.example.net");
    EXPECT_EQ(two.spec.openvz->onboot, true);

    EXPECT_EQ(error_of([&] { s->info("7777"); }).first, ct::Errc::not_found);
    EXPECT_EQ(error_of([&] { s->info("../101"); }).first, ct::Errc::invalid_argument);
}

TEST_F(Session, UnlimitedValuesOfRealConfs) {
    // LONG_MAX, as older vzctl wrote it, and 2147483647 read as unlimited, never "too large"
    // and never as a limit of terabytes: memory, swap and pids stay in the description.
    std::ofstream(root + "/etc/vz/conf/2.conf", std::ios::app)
        << "PHYSPAGES=\"0:9223372036854775807\"\nPRIVVMPAGES=\"9223372036854775807:"
           "9223372036854775807\"\nSWAPPAGES=\"0:2147483647\"\nNUMPROC=\"2147483647:2147483647\"\n";
    log->status["2"] = "exist unmounted down";
    auto i = ct::doc::info_from_json(ct::doc::parse(s->info("2"), "info"));
    EXPECT_EQ(i.spec.resources.memory, -1);
    EXPECT_EQ(i.spec.resources.memory_swap, -1);
    EXPECT_EQ(i.spec.resources.pids, -1);
}

TEST_F(Session, AMalformedCpuNumberLeavesOnlyItsOwnFieldOut) {
    // Appended lines win over the conf's own (the last assignment counts, as in vzctl).
    std::ofstream(root + "/etc/vz/conf/2.conf", std::ios::app)
        << "CPUUNITS=\"-5\"\nCPULIMIT=\"50\"\n";
    log->status["2"] = "exist unmounted down";
    auto i = ct::doc::info_from_json(ct::doc::parse(s->info("2"), "info"));
    EXPECT_FALSE(i.spec.resources.cpu.shares);  // never a wrapped-around 2^64 - 5
    EXPECT_EQ(i.spec.resources.cpu.quota_us, 50000);
    EXPECT_EQ(i.spec.resources.cpu.period_us, 100000);
    std::ofstream(root + "/etc/vz/conf/2.conf", std::ios::app)
        << "CPUUNITS=\"250\"\nCPULIMIT=\"lots\"\n";
    i = ct::doc::info_from_json(ct::doc::parse(s->info("2"), "info"));
    EXPECT_EQ(i.spec.resources.cpu.shares, 250u);
    EXPECT_FALSE(i.spec.resources.cpu.quota_us);
}

TEST_F(Session, AsksVzctlItsVersionOnce) {
    open("vzctl version 4.11\n");
    log->status["101"] = "exist unmounted down";
    s->info("101");
    s->info("101");
    for (const auto &c : log->calls) EXPECT_NE(c[1], "--version");
    // A new session asks first, before anything else.
    auto fresh = std::make_shared<Log>();
    SessionOptions o;
    o.root = root;
    OpenVzSession again(o, Tools{V, L, M}, std::make_unique<Recorder>(fresh));
    EXPECT_EQ(fresh->calls, (Calls{{V, "--version"}}));
    // A vzctl that answers something else: refused, quoting it.
    fresh = std::make_shared<Log>();
    fresh->version = "vzctl: unrecognized option '--version'\n";
    try {
        OpenVzSession bad(o, Tools{V, L, M}, std::make_unique<Recorder>(fresh));
        ADD_FAILURE();
    } catch (const ct::Error &e) {
        EXPECT_EQ(e.code(), ct::Errc::unsupported);
        EXPECT_NE(std::string(e.what()).find("unrecognized option"), std::string::npos) << e.what();
    }
}

TEST_F(Session, DestroyStopsRemovesAndKeepsTheCallersFiles) {
    log->status["101"] = "exist mounted running";
    EXPECT_EQ(error_of([&] { s->destroy("101", 0); }).first, ct::Errc::bad_state);
    log->calls.clear();
    s->destroy("101", CT_DESTROY_FORCE);
    EXPECT_EQ(log->calls,
              (Calls{{V, "status", "101"}, {V, "stop", "101", "--fast"}, {V, "destroy", "101"}}));

    fs::create_directories(root + "/mine");
    ct::Spec sp;
    sp.name = "7005";
    sp.rootfs = root + "/mine";
    sp.openvz = ct::OpenVzSpec{};
    s->create(ct::doc::encode_spec(sp));
    log->calls.clear();
    log->status["7005"] = "exist unmounted down";
    s->destroy("7005", 0);
    EXPECT_EQ(log->calls, (Calls{{V, "status", "7005"}, {V, "status", "7005"}}));
    EXPECT_FALSE(fs::exists(root + "/etc/vz/conf/7005.conf"));
    EXPECT_TRUE(fs::exists(root + "/etc/vz/conf/7005.conf.destroyed"));
    EXPECT_TRUE(fs::exists(root + "/mine"));
    EXPECT_FALSE(fs::exists(state_dir("7005")));
    EXPECT_EQ(error_of([&] { s->destroy("7006", 0); }).first, ct::Errc::not_found);
}

TEST(SessionOpen, RefusesHostsWithoutOpenVZ) {
    char tmpl[] = "/tmp/ct-openvz-unit-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    std::string root = tmpl;
    try {
        OpenVzSession s("openvz:///?root=" + root);
        ADD_FAILURE();
    } catch (const ct::Error &e) {
        EXPECT_EQ(e.code(), ct::Errc::unsupported);
        EXPECT_EQ(std::string(e.what()), "not an OpenVZ host: " + root + "/proc/vz missing");
    }
    fs::create_directories(root + "/proc/vz");
    fs::create_directories(root + "/bin");
    try {
        OpenVzSession s("openvz:///?root=" + root + "&bin=" + root + "/bin");
        ADD_FAILURE();
    } catch (const ct::Error &e) {
        EXPECT_EQ(e.code(), ct::Errc::unsupported);
        EXPECT_EQ(std::string(e.what()),
                  "OpenVZ host without vzctl: not found in " + root + "/bin");
    }
    fs::remove_all(root);
}
