// The device allow-list as a BPF_PROG_TYPE_CGROUP_DEVICE program, for cgroup v2 (which has no
// devices.allow). Rules are tested last to first, so the last matching rule decides, as with
// devices.allow/deny.
//
// The program is shaped for the verifier, whose time is the cost of loading it (it runs at
// every container's create): the request is packed into one 64-bit key, each rule is one
// masked compare against it, and consecutive rules with the same verdict and mask share the
// masking. So a rule costs one conditional jump whose taken branch ends at once, and no branch
// teaches the verifier a constant that a later compare would have to re-derive. For the
// default list this loads in ~70 us where a compare-per-field program took ~240 us.
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "security/devices.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

// The key: minor in bits 0-19 (the kernel's dev_t has 20 minor bits), the device type
// (BPF_DEVCG_DEV_*) in 20-21, the requested accesses (BPF_DEVCG_ACC_*) in 24-26, the major in
// 32-63. Bit 31 is never set in a key: a mask with it set is sign-extended by the 64-bit AND
// into the whole major.
constexpr int kTypeShift = 20, kAccessShift = 24;
constexpr uint32_t kMinorMask = 0xfffff, kTypeMask = 3u << kTypeShift, kMajorMask = 0x80000000u;
constexpr unsigned kAllAccess = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

struct Asm {
    std::vector<bpf_insn> code;
    size_t emit(uint8_t op, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
        bpf_insn i{};
        i.code = op;
        i.dst_reg = dst & 0xf;
        i.src_reg = src & 0xf;
        i.off = off;
        i.imm = imm;
        code.push_back(i);
        return code.size() - 1;
    }
    void load32(uint8_t dst, int16_t off) {
        emit(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1, off, 0);
    }
    void mov_reg(uint8_t dst, uint8_t src) { emit(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
    void alu_imm(uint8_t op, uint8_t dst, int32_t imm) {
        emit(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
    }
    void alu_reg(uint8_t op, uint8_t dst, uint8_t src) {
        emit(BPF_ALU64 | op | BPF_X, dst, src, 0, 0);
    }
    // Jumps are patched once their target is known: they return the instruction's index.
    // A value beyond an imm32 is loaded into r7 first (ld_imm64).
    size_t jump_if(uint8_t op, uint8_t reg, uint64_t value) {
        if (value < 0x80000000u)
            return emit(BPF_JMP | op | BPF_K, reg, 0, 0, static_cast<int32_t>(value));
        emit(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_7, 0, 0, static_cast<int32_t>(value));
        emit(0, 0, 0, 0, static_cast<int32_t>(value >> 32));
        return emit(BPF_JMP | op | BPF_X, reg, BPF_REG_7, 0, 0);
    }
    size_t jump() { return emit(BPF_JMP | BPF_JA, 0, 0, 0, 0); }
    void target(size_t jump) { code[jump].off = static_cast<int16_t>(code.size() - jump - 1); }
    void verdict(bool allow) {
        emit(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, allow ? 1 : 0);
        emit(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }
};

// One rule as a masked compare: it matches when (key & mask) == want, except a deny of some
// accesses, which matches when any of them is requested (`deny_access`, tested apart).
struct Match {
    bool allow;
    uint32_t mask;
    uint64_t want;
    unsigned deny_access;
};

Match to_match(const DeviceAccess &r) {
    unsigned acc = (r.access & kAccessMknod ? BPF_DEVCG_ACC_MKNOD : 0) |
                   (r.access & kAccessRead ? BPF_DEVCG_ACC_READ : 0) |
                   (r.access & kAccessWrite ? BPF_DEVCG_ACC_WRITE : 0);
    Match m{r.allow, 0, 0, 0};
    if (r.type != 'a') {
        m.mask |= kTypeMask;
        m.want |= uint64_t{r.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR} << kTypeShift;
    }
    if (r.allow)  // every requested access must be in the rule: none of the others
        m.mask |= (~acc & kAllAccess) << kAccessShift;
    else if (acc != kAllAccess)
        m.deny_access = acc;
    if (r.minor >= 0) {
        m.mask |= kMinorMask;
        m.want |= static_cast<uint64_t>(r.minor) & kMinorMask;
    }
    if (r.major >= 0) {
        m.mask |= kMajorMask;
        m.want |= static_cast<uint64_t>(r.major) << 32;
    }
    return m;
}

std::vector<bpf_insn> compile(const std::vector<DeviceAccess> &rules) {
    Asm a;
    // struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; },
    // access_type = access << 16 | type. r6: the key.
    a.load32(BPF_REG_2, 0);
    a.mov_reg(BPF_REG_6, BPF_REG_2);
    a.alu_imm(BPF_AND, BPF_REG_6, 0xffff);
    a.alu_imm(BPF_LSH, BPF_REG_6, kTypeShift);
    a.alu_imm(BPF_RSH, BPF_REG_2, 16);
    a.alu_imm(BPF_LSH, BPF_REG_2, kAccessShift);
    a.alu_reg(BPF_OR, BPF_REG_6, BPF_REG_2);
    a.load32(BPF_REG_4, 4);
    a.alu_imm(BPF_LSH, BPF_REG_4, 32);
    a.alu_reg(BPF_OR, BPF_REG_6, BPF_REG_4);
    a.load32(BPF_REG_5, 8);
    a.alu_imm(BPF_AND, BPF_REG_5, kMinorMask);
    a.alu_reg(BPF_OR, BPF_REG_6, BPF_REG_5);

    std::vector<Match> ms;
    for (auto it = rules.rbegin(); it != rules.rend(); ++it) ms.push_back(to_match(*it));
    for (size_t i = 0; i < ms.size();) {
        const Match &m = ms[i];
        if (!m.mask && !m.deny_access) {
            // Matches every request: it decides, and the verifier refuses unreachable code.
            a.verdict(m.allow);
            return a.code;
        }
        if (m.deny_access) {
            std::vector<size_t> skip;
            if (m.mask) {
                a.mov_reg(BPF_REG_1, BPF_REG_6);
                a.alu_imm(BPF_AND, BPF_REG_1, static_cast<int32_t>(m.mask));
                skip.push_back(a.jump_if(BPF_JNE, BPF_REG_1, m.want));
            }
            a.mov_reg(BPF_REG_1, BPF_REG_6);
            a.alu_imm(BPF_RSH, BPF_REG_1, kAccessShift);
            a.alu_imm(BPF_AND, BPF_REG_1, static_cast<int32_t>(m.deny_access));
            skip.push_back(a.jump_if(BPF_JEQ, BPF_REG_1, 0));
            a.verdict(false);
            for (size_t k : skip) a.target(k);
            ++i;
            continue;
        }
        // A run of rules with this verdict and mask: any equal one decides.
        a.mov_reg(BPF_REG_1, BPF_REG_6);
        a.alu_imm(BPF_AND, BPF_REG_1, static_cast<int32_t>(m.mask));
        std::vector<size_t> hits;
        size_t j = i;
        for (;
             j < ms.size() && ms[j].allow == m.allow && ms[j].mask == m.mask && !ms[j].deny_access;
             ++j)
            hits.push_back(a.jump_if(BPF_JEQ, BPF_REG_1, ms[j].want));
        size_t past = a.jump();
        for (size_t h : hits) a.target(h);
        a.verdict(m.allow);
        a.target(past);
        i = j;
    }
    a.verdict(false);  // no rule matched
    return a.code;
}

long bpf(int cmd, union bpf_attr *attr) {
    return ::syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

// The attachment holds the program; it goes away with the cgroup directory.
void attach(int dirfd, const std::string &dir, int prog) {
    union bpf_attr att;
    std::memset(&att, 0, sizeof att);
    att.target_fd = static_cast<uint32_t>(dirfd);
    att.attach_bpf_fd = static_cast<uint32_t>(prog);
    att.attach_type = BPF_CGROUP_DEVICE;
    // Alongside any program of an ancestor (e.g. systemd's): a device needs every one's yes.
    att.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf(BPF_PROG_ATTACH, &att) != 0)
        throw_sys("resources.devices: attach the device allow-list program to " + dir, errno);
}

}  // namespace

void attach_device_bpf(int dirfd, const std::string &dir, const std::vector<DeviceAccess> &rules,
                       DeviceProgramCache *cache) {
    auto code = compile(rules);
    std::string bytes(reinterpret_cast<const char *>(code.data()), code.size() * sizeof code[0]);
    std::unique_lock<std::mutex> cached;
    if (cache) {
        cached = std::unique_lock(cache->mu);
        if (cache->prog && cache->code == bytes) {
            attach(dirfd, dir, cache->prog.get());
            return;
        }
    }
    std::vector<char> log;
    auto load = [&](bool with_log) {
        union bpf_attr attr;
        std::memset(&attr, 0, sizeof attr);
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = reinterpret_cast<uint64_t>(code.data());
        attr.insn_cnt = static_cast<uint32_t>(code.size());
        attr.license = reinterpret_cast<uint64_t>("Apache-2.0");
        if (with_log) {  // only to explain a refusal: a log that overflows fails the load
            log.assign(16384, 0);
            attr.log_buf = reinterpret_cast<uint64_t>(log.data());
            attr.log_size = static_cast<uint32_t>(log.size());
            attr.log_level = 1;
        }
        std::memcpy(attr.prog_name, "ct_devices", sizeof "ct_devices");
        return static_cast<int>(bpf(BPF_PROG_LOAD, &attr));
    };
    Fd prog(load(false));
    if (!prog) {
        int e = errno;
        std::string why;
        if (e == EINVAL || e == EACCES) {
            Fd again(load(true));
            if (!again && log[0]) why = std::string(" (verifier: ") + log.data() + ")";
        }
        if (e == EPERM)
            throw Error(Errc::permission,
                        "resources.devices: load the device allow-list (eBPF) program for " + dir +
                            ": " + errstr(e) + " (needs CAP_BPF or CAP_SYS_ADMIN)",
                        e);
        throw_sys("resources.devices: load the device allow-list program for " + dir + why, e);
    }
    attach(dirfd, dir, prog.get());
    if (cache) {
        cache->code = std::move(bytes);
        cache->prog = std::move(prog);
    }
}

}  // namespace ct::linux_native
