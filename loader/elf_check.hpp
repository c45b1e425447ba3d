// A check of a backend file's ELF layout before dlopen(). glibc maps the segments a file's
// program headers describe without comparing them with the file's size, so a truncated
// shared object (an interrupted copy, a full disk) kills the process with SIGBUS inside
// dlopen() instead of failing it. Reading the headers first turns that into an error.
#pragma once

#include <string>

namespace ct::loader {

// Empty when the file's ELF program headers and the segments they describe lie within the
// file (or when it is not ELF at all: dlopen() reports that well itself); else why not.
std::string check_elf_bounds(const std::string &path);

}  // namespace ct::loader
