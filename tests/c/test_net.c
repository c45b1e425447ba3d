/* Network: a veth pair (address, MTU, MAC, the host end on a bridge), a route, a host NIC. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc.h"

struct shared {
    int mtu, route;
    char mac[32], addr[32];
    int hostnic;
    char hostnic_name[IFNAMSIZ];
};

struct arg {
    struct shared *sh;
    int wait_fd;
};

static int look(void *a) {
    struct arg *x = a;
    struct shared *sh = x->sh;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "eth0");
    if (ioctl(s, SIOCGIFMTU, &ifr) == 0) sh->mtu = ifr.ifr_mtu;
    if (ioctl(s, SIOCGIFHWADDR, &ifr) == 0) {
        unsigned char *m = (unsigned char *)ifr.ifr_hwaddr.sa_data;
        snprintf(sh->mac, sizeof sh->mac, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
                 m[4], m[5]);
    }
    if (ioctl(s, SIOCGIFADDR, &ifr) == 0)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr, sh->addr,
                  sizeof sh->addr);
    close(s);
    /* 10.78.0.0/16 via 10.77.0.1, in /proc/net/route's little-endian hex. */
    const char *routes = tc_read("/proc/net/route");
    sh->route = routes && strstr(routes, "eth0\t00004E0A\t01004D0A") != NULL;
    char c;
    return read(x->wait_fd, &c, 1) < 0;
}

static int look_hostnic(void *a) {
    struct shared *sh = a;
    sh->hostnic = if_nametoindex(sh->hostnic_name) != 0;
    return 0;
}

int main(void) {
    tc_init();
    libct_session_t s = libct_session_open_local();
    REQUIRE(!libct_handle_is_err(s), "session");
    char host[IFNAMSIZ], bridge[IFNAMSIZ], nic[IFNAMSIZ], nic_peer[IFNAMSIZ];
    snprintf(host, sizeof host, "cv%dh", (int)getpid());
    snprintf(bridge, sizeof bridge, "cb%d", (int)getpid());
    snprintf(nic, sizeof nic, "cn%da", (int)getpid());
    snprintf(nic_peer, sizeof nic_peer, "cn%db", (int)getpid());
    REQUIRE(tc_sh("ip link add %s type bridge", bridge) == 0, "a bridge for the test");

    ct_handler_t ct = libct_container_create(s, tc_name("veth"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNET));
    struct ct_net_veth_arg va = {host, "eth0"};
    ct_net_t n = libct_net_add(ct, CT_NET_VETH, &va);
    REQUIRE(n && !libct_handle_is_err(n), "veth: %ld", libct_handle_to_err(n));
    CHECK_OK(libct_net_dev_add_ip_addr(n, "10.77.0.2/24"));
    CHECK_OK(libct_net_dev_set_mtu(n, 1400));
    CHECK_OK(libct_net_dev_set_mac_addr(n, "02:00:00:00:77:02"));
    CHECK(libct_net_dev_set_mtu(n, 10) == -LCTERR_INVARG, "MTU too small");
    ct_net_t peer = libct_net_dev_get_peer(n);
    REQUIRE(peer && !libct_handle_is_err(peer), "peer");
    CHECK(libct_net_dev_get_peer(peer) == n, "the peer's peer");
    CHECK_OK(libct_net_dev_set_master(peer, bridge));
    CHECK(libct_net_dev_set_master(n, bridge) == -LCTERR_OPNOTSUPP, "the container end");
    CHECK(libct_net_dev_add_ip_addr(peer, "10.77.0.1/24") == -LCTERR_OPNOTSUPP, "host address");
    ct_net_route_t r = libct_net_route_add(ct);
    REQUIRE(!libct_handle_is_err(r), "route");
    CHECK_OK(libct_net_route_set_dst(r, "10.78.0.0/16"));
    CHECK(libct_net_route_set_src(r, "10.77.0.2") == -LCTERR_OPNOTSUPP, "preferred source");
    ct_net_route_nh_t nh = libct_net_route_add_nh(r);
    REQUIRE(!libct_handle_is_err(nh), "next hop");
    CHECK(libct_handle_is_err(libct_net_route_add_nh(r)), "multipath");
    CHECK_OK(libct_net_route_nh_set_gw(nh, "10.77.0.1"));
    CHECK_OK(libct_net_route_nh_set_dev(nh, "eth0"));
    /* Added and deleted again. */
    struct ct_net_veth_arg other = {"cvx", "eth9"};
    CHECK(!libct_handle_is_err(libct_net_add(ct, CT_NET_VETH, &other)), "second veth");
    CHECK_OK(libct_net_del(ct, CT_NET_VETH, &other));
    CHECK(libct_net_del(ct, CT_NET_VETH, &other) == -LCTERR_NOTFOUND, "deleted twice");

    int wait_pipe[2];
    REQUIRE(pipe(wait_pipe) == 0, "pipe");
    struct arg a = {tc_shared(), wait_pipe[0]};
    ct_process_desc_t pd = libct_process_desc_create(s);
    ct_process_t p = libct_container_spawn_cb(ct, pd, look, &a);
    REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    /* Set up before spawn returns: the host end exists, on the bridge, with the MTU. */
    CHECK(tc_link_exists(host), "host end %s", host);
    char path[128];
    snprintf(path, sizeof path, "/sys/class/net/%s/mtu", host);
    CHECK(tc_read(path) && atoi(tc_read(path)) == 1400, "host end MTU");
    snprintf(path, sizeof path, "/sys/class/net/%s/brif/%s", bridge, host);
    CHECK(access(path, F_OK) == 0, "the host end is a port of %s", bridge);
    REQUIRE(write(wait_pipe[1], "x", 1) == 1, "write");
    CHECK_OK(libct_container_wait(ct));
    CHECK(a.sh->mtu == 1400, "MTU inside %d", a.sh->mtu);
    CHECK(!strcmp(a.sh->mac, "02:00:00:00:77:02"), "MAC inside %s", a.sh->mac);
    CHECK(!strcmp(a.sh->addr, "10.77.0.2"), "address inside %s", a.sh->addr);
    CHECK(a.sh->route, "the route inside");
    libct_process_destroy(p);
    libct_container_destroy(ct);
    CHECK(tc_link_gone_soon(host), "the veth went with the container");

    /* A host NIC: moved in, and back on destroy. */
    REQUIRE(tc_sh("ip link add %s type veth peer name %s", nic, nic_peer) == 0, "veth for the NIC");
    ct = libct_container_create(s, tc_name("hostnic"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNET));
    n = libct_net_add(ct, CT_NET_HOSTNIC, nic);
    REQUIRE(!libct_handle_is_err(n), "hostnic: %ld", libct_handle_to_err(n));
    CHECK(libct_handle_to_err(libct_net_dev_get_peer(n)) == -LCTERR_BADTYPE, "no peer");
    struct shared *sh = tc_shared();
    strcpy(sh->hostnic_name, nic);
    p = libct_container_spawn_cb(ct, pd, look_hostnic, sh);
    REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    CHECK(!tc_link_exists(nic), "the NIC left the host");
    CHECK_OK(libct_container_wait(ct));
    CHECK(sh->hostnic, "the NIC is in the container");
    libct_process_destroy(p);
    libct_container_destroy(ct);
    CHECK(tc_link_exists(nic), "the NIC is back");

    tc_sh("ip link del %s", nic);
    tc_sh("ip link del %s", bridge);
    close(wait_pipe[0]);
    close(wait_pipe[1]);
    libct_process_desc_destroy(pd);
    libct_session_close(s);
    return tc_done();
}
