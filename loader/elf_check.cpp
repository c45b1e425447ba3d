#include "elf_check.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace ct::loader {
namespace {

bool read_at(int fd, void *buf, size_t len, uint64_t off) {
    auto n = pread(fd, buf, len, static_cast<off_t>(off));
    return n == static_cast<ssize_t>(len);
}

template <class Ehdr, class Phdr>
std::string check(int fd, uint64_t size) {
    Ehdr eh;
    if (!read_at(fd, &eh, sizeof eh, 0)) return {};  // too short for ELF: dlopen says so
    if (eh.e_phentsize != sizeof(Phdr)) return {};   // not ours to judge: dlopen decides
    uint64_t ph_end = uint64_t{eh.e_phoff} + uint64_t{eh.e_phnum} * sizeof(Phdr);
    uint64_t need = ph_end;
    std::vector<Phdr> ph(eh.e_phnum);
    if (ph_end <= size && eh.e_phnum &&
        !read_at(fd, ph.data(), ph.size() * sizeof(Phdr), eh.e_phoff))
        return "its program headers cannot be read";
    if (ph_end <= size)
        for (const auto &p : ph)
            if (p.p_type == PT_LOAD || p.p_type == PT_DYNAMIC || p.p_type == PT_INTERP)
                need = std::max<uint64_t>(need, uint64_t{p.p_offset} + p.p_filesz);
    if (need <= size) return {};
    return "it is truncated: the file has " + std::to_string(size) +
           " bytes, but its ELF headers describe " + std::to_string(need);
}

}  // namespace

std::string check_elf_bounds(const std::string &path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};  // dlopen reports the open error with its own words
    struct stat st;
    unsigned char ident[EI_NIDENT];
    std::string why;
    if (fstat(fd, &st) == 0 && read_at(fd, ident, sizeof ident, 0) &&
        std::memcmp(ident, ELFMAG, SELFMAG) == 0) {
        auto size = static_cast<uint64_t>(st.st_size);
        if (ident[EI_CLASS] == ELFCLASS64)
            why = check<Elf64_Ehdr, Elf64_Phdr>(fd, size);
        else if (ident[EI_CLASS] == ELFCLASS32)
            why = check<Elf32_Ehdr, Elf32_Phdr>(fd, size);
    }
    ::close(fd);
    return why;
}

}  // namespace ct::loader
