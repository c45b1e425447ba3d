// The device allow-list as a BPF_PROG_TYPE_CGROUP_DEVICE program, for cgroup v2 (which has no
// devices.allow). The program is generated from the rules: each rule is a block that jumps
// to the next one unless the request matches; rules are tested last to first, so the last
// matching rule decides, as with devices.allow/deny.
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "devices.hpp"
#include "sys.hpp"

namespace ct::linux_native {
namespace {

struct Asm {
    std::vector<bpf_insn> code;
    void emit(uint8_t op, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
        bpf_insn i{};
        i.code = op;
        i.dst_reg = dst & 0xf;
        i.src_reg = src & 0xf;
        i.off = off;
        i.imm = imm;
        code.push_back(i);
    }
    void load32(uint8_t dst, int16_t off) {
        emit(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1, off, 0);
    }
    void mov_reg(uint8_t dst, uint8_t src) { emit(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
    void mov_imm(uint8_t dst, int32_t imm) { emit(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
    void and_imm(uint8_t dst, int32_t imm) { emit(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm); }
    void rsh_imm(uint8_t dst, int32_t imm) { emit(BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, imm); }
    // Jumps are patched once the block's end is known: returns the instruction's index.
    size_t jne_imm(uint8_t dst, int32_t imm) {
        emit(BPF_JMP | BPF_JNE | BPF_K, dst, 0, 0, imm);
        return code.size() - 1;
    }
    size_t jeq_imm(uint8_t dst, int32_t imm) {
        emit(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, 0, imm);
        return code.size() - 1;
    }
    void exit() { emit(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }
};

std::vector<bpf_insn> compile(const std::vector<DeviceAccess> &rules) {
    Asm a;
    // struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }
    // access_type = access << 16 | type.
    a.load32(BPF_REG_2, 0);
    a.and_imm(BPF_REG_2, 0xffff);  // r2: BPF_DEVCG_DEV_BLOCK / _CHAR
    a.load32(BPF_REG_3, 0);
    a.rsh_imm(BPF_REG_3, 16);  // r3: BPF_DEVCG_ACC_* requested
    a.load32(BPF_REG_4, 4);    // r4: major
    a.load32(BPF_REG_5, 8);    // r5: minor
    for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
        const auto &r = *it;
        std::vector<size_t> to_next;
        if (r.type != 'a')
            to_next.push_back(
                a.jne_imm(BPF_REG_2, r.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
        unsigned acc = (r.access & kAccessMknod ? BPF_DEVCG_ACC_MKNOD : 0) |
                       (r.access & kAccessRead ? BPF_DEVCG_ACC_READ : 0) |
                       (r.access & kAccessWrite ? BPF_DEVCG_ACC_WRITE : 0);
        unsigned all = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
        if (acc != all) {
            a.mov_reg(BPF_REG_1, BPF_REG_3);
            if (r.allow) {
                // Allowed only if every requested access is in the rule.
                a.and_imm(BPF_REG_1, static_cast<int32_t>(~acc & all));
                to_next.push_back(a.jne_imm(BPF_REG_1, 0));
            } else {
                // Denied as soon as one requested access is in the rule.
                a.and_imm(BPF_REG_1, static_cast<int32_t>(acc));
                to_next.push_back(a.jeq_imm(BPF_REG_1, 0));
            }
        }
        if (r.major >= 0) to_next.push_back(a.jne_imm(BPF_REG_4, static_cast<int32_t>(r.major)));
        if (r.minor >= 0) to_next.push_back(a.jne_imm(BPF_REG_5, static_cast<int32_t>(r.minor)));
        a.mov_imm(BPF_REG_0, r.allow ? 1 : 0);
        a.exit();
        // A rule matching everything decides alone: the verifier refuses unreachable code.
        if (to_next.empty()) return a.code;
        for (size_t j : to_next) a.code[j].off = static_cast<int16_t>(a.code.size() - j - 1);
    }
    a.mov_imm(BPF_REG_0, 0);  // no rule matched: deny
    a.exit();
    return a.code;
}

long bpf(int cmd, union bpf_attr *attr) {
    return ::syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

}  // namespace

void attach_device_bpf(int dirfd, const std::string &dir, const std::vector<DeviceAccess> &rules) {
    auto code = compile(rules);
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
    union bpf_attr att;
    std::memset(&att, 0, sizeof att);
    att.target_fd = static_cast<uint32_t>(dirfd);
    att.attach_bpf_fd = static_cast<uint32_t>(prog.get());
    att.attach_type = BPF_CGROUP_DEVICE;
    // Alongside any program of an ancestor (e.g. systemd's): a device needs every one's yes.
    att.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf(BPF_PROG_ATTACH, &att) != 0)
        throw_sys("resources.devices: attach the device allow-list program to " + dir, errno);
    // The attachment holds the program; it goes away with the cgroup directory.
}

}  // namespace ct::linux_native
