// `ct info` as text: everything `ct info --json` holds, laid out for people (nested fields
// indented, lists of records as "- " items, sizes also in MiB, command lines quoted as sh
// would read them back).
#pragma once

#include <ostream>
#include <string>

#include "ct/info.hpp"

namespace ct::cli {

void print_info(std::ostream &os, const ContainerInfo &info, const std::string &uri);

// "running", "stopped (3)", "stopped (SIGKILL)".
std::string status_text(const ContainerInfo &info);

}  // namespace ct::cli
