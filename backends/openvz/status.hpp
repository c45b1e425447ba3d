// What vzctl and vzlist say about a container's state, in both generations' words.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "generation.hpp"
#include "runner.hpp"

namespace ct::openvz {

struct VzStatus {
    bool exists = false, mounted = false;
    bool running = false;    // its processes exist (paused ones too)
    bool paused = false;     // running, but frozen (OpenVZ 7: "paused"; cpt suspended)
    bool suspended = false;  // down, with a dump to resume from ("suspended")
};

// `vzctl status CTID`:
//   vzctl 4.x:  CTID <id> exist|deleted mounted|unmounted running|down[ suspended]
//   vzctl 7.x:  VEID <id> exist|deleted mounted|unmounted running|paused|down|suspended
// (older 7.x print "running|down[ suspended]" after VEID). Errc::backend on anything else.
VzStatus parse_vzctl_status(const std::string &out, const std::string &ctid);

// `vzlist -a -H -o ctid,status`: each container and its state word (running, stopped, mounted,
// suspended; OpenVZ 7 also paused). An answer without containers is only "no containers" when
// the tool reported nothing else: vzlist 4.x says "Container(s) not found" on stderr then, and a
// vzlist that rejected its options prints its usage to stderr. Errc::backend otherwise, and on
// lines that are not a CTID and a state word.
std::vector<std::pair<std::string, VzStatus>> parse_vzlist(const RunResult &r,
                                                           Generation generation);

// A legacy vzlist's answer when it has no container to list: "Container(s) not found" alone,
// with exit code 0 from vzlist 4.x and 1 from earlier ones.
bool vzlist_found_none(const RunResult &r);

}  // namespace ct::openvz
