// Container names of the openvz backend: they are CTIDs, exactly as vzctl and
// /etc/vz/conf/<CTID>.conf spell them.
#pragma once

#include <string>

namespace ct::openvz {

// Accepted:
//   - numeric CTIDs 1..2147483644, without leading zeros (0 is the host). OpenVZ documents IDs
//     up to 100 as reserved for its own use, but vzctl does not enforce it and real hosts have
//     containers 1 and 100, so they are containers like any other here;
//   - OpenVZ 7 UUID CTIDs: 8-4-4-4-12 lower-case hex digits.
// Refused: vzctl --name aliases (one container would answer to two names, and the alias can
// change under a running session) and everything else. Throws Errc::invalid_argument.
void check_ctid(const std::string &name);

bool is_numeric_ctid(const std::string &name);
bool is_ctid(const std::string &name);

}  // namespace ct::openvz
