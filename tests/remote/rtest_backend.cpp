// ct-backend-rtest.so: a deliberately small backend used only by the remote backend's unit
// tests, hosted by the real ct-agent behind the fake ssh. It fills the slots whose transport is
// hardest to get right — exec/start with stdio and with a terminal (console socket), wait,
// and the streaming file slots — with plain fork/exec and files, so that the client, the agent
// and the protocol are exercised end to end before the linux backend has those slots.
// Scheme "rtest", URI rtest:///?root=DIR. Not installed.
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ct/driver.h"

struct ct_session {
    const ct_host *host;
    std::string root;
};

namespace {

int fail(ct_out *err, int code, const std::string &msg, int e = 0) {
    if (err && err->put) err->put(err, msg.data(), msg.size());
    if (e && err && err->set_errno) err->set_errno(err, e);
    return code;
}

int op_open(const ct_host *h, const char *uri, ct_session **out, ct_out *err) {
    std::string u = uri;
    auto p = u.find("?root=");
    if (p == std::string::npos)
        return fail(err, CT_ERR_INVALID_ARGUMENT, "rtest: root= is required");
    *out = new ct_session{h, u.substr(p + 6)};
    if (h && h->log) h->log(CT_LOG_INFO, "rtest", "session opened");
    return CT_OK;
}

void op_close(ct_session *s) {
    delete s;
}

int spawn(ct_session *, const ct_proc_args *a, int64_t *pid, ct_out *err) {
    if (!a->process_doc)
        return fail(err, CT_ERR_INVALID_SPEC, "rtest: a process document is required");
    auto doc = nlohmann::json::parse(a->process_doc);
    std::vector<std::string> args = doc.at("args");
    bool tty = doc.value("terminal", false);
    if (tty && a->console_socket < 0)
        return fail(err, CT_ERR_INVALID_ARGUMENT, "rtest: a terminal needs a console socket");
    int master = -1;
    std::string slave_name;
    if (tty) {
        master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || grantpt(master) || unlockpt(master))
            return fail(err, CT_ERR_BACKEND, "rtest: pty", errno);
        slave_name = ptsname(master);
    }
    std::vector<char *> av;
    for (auto &x : args) av.push_back(x.data());
    av.push_back(nullptr);
    pid_t p = fork();
    if (p == 0) {
        if (tty) {
            setsid();
            int sl = open(slave_name.c_str(), O_RDWR);
            ioctl(sl, TIOCSCTTY, 0);
            dup2(sl, 0);
            dup2(sl, 1);
            dup2(sl, 2);
        } else {
            int nul = open("/dev/null", O_RDWR);
            int fds[3] = {a->stdin_fd, a->stdout_fd, a->stderr_fd};
            int tmp[3];
            for (int i = 0; i < 3; ++i) tmp[i] = fcntl(fds[i] >= 0 ? fds[i] : nul, F_DUPFD, 10);
            for (int i = 0; i < 3; ++i) dup2(tmp[i], i);
        }
        signal(SIGPIPE, SIG_DFL);
        execv(av[0], av.data());
        _exit(127);
    }
    if (tty) {
        char byte = 0;
        iovec iov{&byte, 1};
        alignas(cmsghdr) char buf[CMSG_SPACE(sizeof(int))] = {};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = buf;
        msg.msg_controllen = sizeof buf;
        cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &master, sizeof master);
        sendmsg(a->console_socket, &msg, MSG_NOSIGNAL);
        close(master);
    }
    *pid = p;
    return CT_OK;
}

int op_start(ct_session *s, const char *, const ct_proc_args *a, int64_t *pid, ct_out *err) {
    return spawn(s, a, pid, err);
}

int op_exec(ct_session *s, const char *, const ct_proc_args *a, int64_t *pid, ct_out *err) {
    return spawn(s, a, pid, err);
}

int op_wait(ct_session *, const char *, int64_t pid, int64_t, int *ws, ct_out *err) {
    if (waitpid(static_cast<pid_t>(pid), ws, 0) < 0)
        return fail(err, CT_ERR_NOT_FOUND, "rtest: no process " + std::to_string(pid), errno);
    return CT_OK;
}

int op_get_files(ct_session *s, const char *dir, ct_out *archive, ct_out *err) {
    std::string f = s->root + "/" + dir + "/data";
    int fd = open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(err, CT_ERR_NOT_FOUND, "rtest: " + f + ": " + strerror(errno), errno);
    struct stat st {};
    fstat(fd, &st);
    std::vector<char> buf(100000);  // not a multiple of the protocol's chunk
    uint64_t done = 0;
    ssize_t n;
    while ((n = read(fd, buf.data(), buf.size())) > 0) {
        archive->put(archive, buf.data(), static_cast<size_t>(n));
        done += static_cast<uint64_t>(n);
        if (s->host && s->host->progress) s->host->progress("rtest get_files", done, st.st_size);
    }
    close(fd);
    return CT_OK;
}

int op_put_files(ct_session *s, const char *dir, ct_in *archive, ct_out *err) {
    std::string d = s->root + "/" + dir;
    if (mkdir(d.c_str(), 0700) != 0)
        return fail(err, errno == EEXIST ? CT_ERR_EXISTS : CT_ERR_BACKEND,
                    "rtest: " + d + ": " + strerror(errno), errno);
    int fd = open((d + "/data").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    std::vector<char> buf(70000);
    int64_t n;
    while ((n = archive->read(archive, buf.data(), buf.size())) > 0)
        if (write(fd, buf.data(), static_cast<size_t>(n)) != n) break;
    close(fd);
    if (n < 0) {
        unlink((d + "/data").c_str());
        rmdir(d.c_str());
        return CT_ERR_BACKEND;  // the stream's message is in err already
    }
    return CT_OK;
}

int op_remove_files(ct_session *s, const char *dir, ct_out *err) {
    std::string d = s->root + "/" + dir;
    unlink((d + "/data").c_str());
    if (rmdir(d.c_str()) != 0)
        return fail(err, CT_ERR_NOT_FOUND, "rtest: " + d + ": " + strerror(errno), errno);
    return CT_OK;
}

const char *const kSchemes[] = {"rtest", nullptr};

const ct_backend kBackend = [] {
    ct_backend b{};
    b.abi_major = CT_DRIVER_ABI_MAJOR;
    b.abi_minor = CT_DRIVER_ABI_MINOR;
    b.size = sizeof(ct_backend);
    b.name = "rtest";
    b.version = "0";
    b.description = "remote backend unit tests only";
    b.schemes = kSchemes;
    b.ops.open = op_open;
    b.ops.close = op_close;
    b.ops.start = op_start;
    b.ops.exec = op_exec;
    b.ops.wait = op_wait;
    b.ops.get_files = op_get_files;
    b.ops.put_files = op_put_files;
    b.ops.remove_files = op_remove_files;
    return b;
}();

}  // namespace

extern "C" __attribute__((visibility("default"))) const ct_backend *ct_backend_entry(void) {
    return &kBackend;
}
