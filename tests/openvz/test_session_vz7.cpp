// The openvz session on an OpenVZ 7 host (vzctl 7.x on libvzctl), with a recorder in place of
// process spawning: the same operations as test_session.cpp, in vzctl 7.x's dialect.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "session_fixture.hpp"

using namespace ct::openvz;
using namespace ct::openvz::test;

namespace {

class Vz7 : public Session {
  protected:
    void SetUp() override {
        Session::SetUp();
        open(kVz7Version);
    }
};

ct::Spec vz7_spec() {
    ct::Spec sp = template_spec();
    sp.network[0].bridge.clear();  // vzctl 7.x --netif_add has no bridge field
    return sp;
}

}  // namespace

TEST_F(Vz7, StatusLinesSayVeid) {
    // Recorder answers "VEID <id> ..." for this version, as vzctl 7.x's Show() prints it.
    log->status["101"] = "exist mounted running";
    auto i = ct::doc::info_from_json(ct::doc::parse(s->info("101"), "info"));
    EXPECT_EQ(i.state, ct::State::running);
    EXPECT_EQ(i.details["vzctl"], "vzctl 7.0.205.2 (OpenVZ 7, libvzctl)");
    log->status["101"] = "exist mounted paused";
    EXPECT_EQ(ct::doc::info_from_json(ct::doc::parse(s->info("101"), "info")).state,
              ct::State::paused);
    log->status["101"] = "exist unmounted suspended";
    EXPECT_EQ(ct::doc::info_from_json(ct::doc::parse(s->info("101"), "info")).state,
              ct::State::paused);
}

TEST_F(Vz7, CreateSpeaksVzctl7) {
    s->create(ct::doc::encode_spec(vz7_spec()));
    ASSERT_EQ(log->calls.size(), 3u);
    // --ve_layout ploop, the one layout vzctl 7.x creates.
    EXPECT_EQ(log->calls[0],
              (Argv{V, "create", "7001", "--ostemplate", "centos-7-x86_64", "--config", "vswap-1g",
                    "--ve_layout", "ploop", "--diskspace", "10G"}));
    // The venet addresses and the rest, without --netif_add (with it, libvzctl would take
    // --ipadd as an address of the veth) ...
    const Argv &main = log->calls[1];
    EXPECT_EQ(Argv(main.begin(), main.begin() + 7),
              (Argv{V, "set", "7001", "--hostname", "web", "--ipadd", "10.0.0.2"}));
    EXPECT_EQ(std::count(main.begin(), main.end(), "--netif_add"), 0);
    EXPECT_NE(std::find(main.begin(), main.end(), "--netdev_add"), main.end());
    EXPECT_EQ(main.back(), "--save");
    // ... and each veth in a set of its own, its name alone as --netif_add's value.
    EXPECT_EQ(log->calls[2],
              (Argv{V, "set", "7001", "--netif_add", "eth0", "--ifname", "eth0", "--mac",
                    "02:00:00:00:70:01", "--host_ifname", "veth7001.0", "--save"}));
}

TEST_F(Vz7, RefusesWhatVzctl7CannotDoBeforeRunningAnything) {
    auto bridged = template_spec();  // bridge: vmbr0
    auto [code, msg] = error_of([&] { s->create(ct::doc::encode_spec(bridged)); });
    EXPECT_EQ(code, ct::Errc::unsupported);
    EXPECT_EQ(msg.rfind("network[0].bridge is not supported by backend openvz", 0), 0u) << msg;
    auto simfs = vz7_spec();
    simfs.openvz->layout = "simfs";
    std::tie(code, msg) = error_of([&] { s->create(ct::doc::encode_spec(simfs)); });
    EXPECT_EQ(code, ct::Errc::unsupported);
    EXPECT_EQ(msg.rfind("openvz.layout 'simfs' is not supported by backend openvz", 0), 0u) << msg;
    // --netif_add's value is the interface name there: at most 15 characters; a MAC is 17.
    auto longname = vz7_spec();
    longname.network = {{}};
    longname.network[0].type = "veth";
    longname.network[0].name = "eth0-much-too-long";
    std::tie(code, msg) = error_of([&] { s->create(ct::doc::encode_spec(longname)); });
    EXPECT_EQ(code, ct::Errc::invalid_spec);
    EXPECT_NE(msg.find("network[0].name"), std::string::npos) << msg;
    EXPECT_TRUE(log->calls.empty());
    EXPECT_FALSE(fs::exists(state_dir("7001")));
}

TEST_F(Vz7, PauseFreezesAndResumeThaws) {
    // OpenVZ 7's pause is a freeze, not a dump: vzctl chkpnt --suspend, shown "paused".
    log->status["101"] = "exist mounted running";
    s->pause("101");
    EXPECT_EQ(log->calls.back(), (Argv{V, "chkpnt", "101", "--suspend"}));
    log->status["101"] = "exist mounted paused";
    auto [code, msg] = error_of([&] { s->pause("101"); });
    EXPECT_EQ(code, ct::Errc::bad_state);
    EXPECT_NE(msg.find("is paused"), std::string::npos) << msg;
    EXPECT_NO_THROW(s->stats("101"));  // the kernel still shows a frozen container
    log->calls.clear();
    s->resume("101");
    EXPECT_EQ(log->calls, (Calls{{V, "status", "101"}, {V, "chkpnt", "101", "--resume"}}));
    // A container `vzctl suspend` dumped to disk resumes with vzctl resume.
    log->status["101"] = "exist unmounted suspended";
    s->resume("101");
    EXPECT_EQ(log->calls.back(), (Argv{V, "resume", "101"}));
    log->status["101"] = "exist mounted running";
    EXPECT_EQ(error_of([&] { s->resume("101"); }).first, ct::Errc::bad_state);
}

TEST_F(Vz7, ProcessesOfAPausedContainer) {
    log->status["101"] = "exist mounted paused";
    ct::ProcessSpec p;
    p.args = {"true"};
    std::string doc = ct::doc::encode_process(p);
    ct_proc_args a = no_args();
    a.process_doc = doc.c_str();
    auto [code, msg] = error_of([&] { s->exec("101", a); });
    EXPECT_EQ(code, ct::Errc::bad_state);
    EXPECT_NE(msg.find("container 101 is paused"), std::string::npos) << msg;
    EXPECT_EQ(error_of([&] { s->start("101", no_args()); }).first, ct::Errc::bad_state);
    // Stopping a frozen container is what vzctl stop does (it thaws first).
    log->calls.clear();
    s->kill("101", 0, SIGKILL, 0);
    EXPECT_EQ(log->calls.back(), (Argv{V, "stop", "101", "--fast"}));
}

TEST_F(Vz7, ATerminalIsTypedIntoVzctlEnter) {
    log->status["101"] = "exist mounted running";
    ct::ProcessSpec p;
    p.args = {"ls", "-l"};
    p.terminal = true;
    std::string doc = ct::doc::encode_process(p);
    ct_proc_args a = no_args();
    a.process_doc = doc.c_str();
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    a.console_socket = sv[0];
    s->exec("101", a);
    const auto &r = log->spawns.back();
    // vzctl 7.x's enter takes no options ("Invalid options"): libct types the line itself.
    EXPECT_EQ(r.argv, (Argv{V, "enter", "101"}));
    EXPECT_TRUE(r.relay.on);
    EXPECT_EQ(r.relay.typed.back(), '\n');
    EXPECT_NE(r.relay.typed.find("; (exec ls -l); "), std::string::npos) << r.relay.typed;
    EXPECT_EQ(r.relay.begin.rfind("__libct_begin_", 0), 0u);
    ::close(sv[0]);
    ::close(sv[1]);
}

TEST_F(Vz7, CheckpointLeavingItRunningIsRefused) {
    log->status["101"] = "exist mounted running";
    std::string dir = root + "/images/cp";
    auto [code, msg] = error_of(
        [&] { s->checkpoint("101", R"({"dir": ")" + dir + R"(", "leave_running": true})"); });
    EXPECT_EQ(code, ct::Errc::unsupported);
    EXPECT_NE(msg.find("leave_running"), std::string::npos) << msg;
    EXPECT_TRUE(log->calls.empty());
    EXPECT_FALSE(fs::exists(dir));
    s->checkpoint("101", R"({"dir": ")" + dir + R"("})");
    EXPECT_EQ(log->calls.back(), (Argv{V, "chkpnt", "101", "--dumpfile", dir + "/openvz.dump"}));
}

TEST_F(Vz7, MigrateKeepsTheUser) {
    log->status["101"] = "exist mounted running";
    s->migrate("101", R"({"to": "openvz+ssh://admin@node2/"})");
    EXPECT_EQ(log->calls.back(), (Argv{M, "--online", "admin@node2", "101"}));
}

TEST_F(Vz7, ListRefusesAnEmptyAnswerWithAnError) {
    // vzlist 7.x has no -t: had it been given, it would print its usage on stderr and nothing
    // on stdout. That is never "no containers".
    log->respond = [](const Argv &a) -> std::optional<RunResult> {
        if (a[0] == L)
            return exited(0, "", "vzlist: invalid option -- 't'\nUsage: vzlist [-a|-S] ...\n");
        return std::nullopt;
    };
    EXPECT_EQ(error_of([&] { s->list(); }).first, ct::Errc::backend);
    // "Container(s) not found" is vzlist 4.x's way to say none; 7.x says nothing.
    log->respond = [](const Argv &a) -> std::optional<RunResult> {
        if (a[0] == L) return exited(0, "", "Container(s) not found\n");
        return std::nullopt;
    };
    EXPECT_EQ(error_of([&] { s->list(); }).first, ct::Errc::backend);
    log->respond = [](const Argv &a) -> std::optional<RunResult> {
        if (a[0] == L) return exited(0, "       101 paused\n         1 running\n");
        return std::nullopt;
    };
    auto j = ct::doc::parse(s->list(), "list");
    EXPECT_EQ(log->calls.back(), (Argv{L, "-a", "-H", "-o", "ctid,status"}));
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(ct::doc::info_from_json(j[0]).state, ct::State::paused);
}
