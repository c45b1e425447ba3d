// Host commands around a mount (libct_fs_add_mount_with_actions), run with posix_spawn: safe
// in a multi-threaded caller, PATH searched as execvp does.
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "internal.hpp"

extern char **environ;

namespace ct::capi {
namespace {

std::vector<char *> c_array(std::vector<std::string> &v) {
    std::vector<char *> out;
    for (auto &s : v) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

}  // namespace

void run_host_commands(const std::vector<HostCommand> &cmds, const std::string &what) {
    for (auto c : cmds) {
        auto argv = c_array(c.argv);
        std::vector<char *> envp;
        if (c.envp) envp = c_array(*c.envp);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        if (!c.dir.empty()) posix_spawn_file_actions_addchdir_np(&fa, c.dir.c_str());
        pid_t pid;
        int rc = ::posix_spawnp(&pid, c.path.c_str(), &fa, nullptr, argv.data(),
                                c.envp ? envp.data() : environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0)
            throw Failure(-LCTERR_CANTMOUNT, what + ": run " + c.path + ": " + std::strerror(rc));
        int st = 0;
        while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            throw Failure(
                -LCTERR_CANTMOUNT,
                what + ": " + c.path +
                    (WIFEXITED(st) ? " exited with " + std::to_string(WEXITSTATUS(st))
                                   : " was killed by signal " + std::to_string(WTERMSIG(st))));
        log(LOG_INFO, what + ": " + c.path + " done");
    }
}

}  // namespace ct::capi
