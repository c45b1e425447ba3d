// get_files / put_files / remove_files of the linux backend: image directories on this host's
// filesystem, in libct's file archive format (api/src/archive.hpp), for migration.
#pragma once

#include <string>

#include "ct/driver.h"

namespace ct::linux_native::files {

void get(const std::string &dir, ct_out *archive);
void put(const std::string &dir, ct_in *archive);
void remove(const std::string &dir);

}  // namespace ct::linux_native::files
