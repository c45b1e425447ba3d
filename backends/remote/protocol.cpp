#include "protocol.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace ct::remote {
namespace {

// Builds a message from CBOR, as from_cbor does, but refuses what the protocol never sends and
// its readers must not meet: nesting deeper than kMaxDepth (from_cbor recurses once per level,
// and a frame has room for millions: the stack overflows), and floats (every number of the
// protocol is an integer, and reading a float that does not fit as one is undefined
// behaviour).
class MsgBuilder final : public nlohmann::json_sax<Msg> {
  public:
    static constexpr size_t kMaxDepth = 32;
    explicit MsgBuilder(Msg &root) : root_(root) {}
    const std::string &why() const { return why_; }

    bool null() override { return put(nullptr); }
    bool boolean(bool v) override { return put(v); }
    bool number_integer(number_integer_t v) override { return put(v); }
    bool number_unsigned(number_unsigned_t v) override { return put(v); }
    bool number_float(number_float_t, const string_t &) override { return refuse("a float"); }
    bool string(string_t &v) override { return put(std::move(v)); }
    bool binary(binary_t &v) override { return put(std::move(v)); }
    bool start_object(size_t) override { return open(Msg::object()); }
    bool key(string_t &k) override {
        key_ = std::move(k);
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(size_t) override { return open(Msg::array()); }
    bool end_array() override { return close(); }
    bool parse_error(size_t, const std::string &, const nlohmann::json::exception &e) override {
        return refuse(e.what());
    }

  private:
    bool refuse(const std::string &why) {
        why_ = why;
        return false;
    }
    // Where the value went: open containers are only ever the last value of their parent, so
    // the pointers on the stack stay valid.
    Msg *place(Msg v) {
        if (stack_.empty()) return &(root_ = std::move(v));
        Msg &top = *stack_.back();
        if (top.is_array()) {
            top.push_back(std::move(v));
            return &top.back();
        }
        return &(top[key_] = std::move(v));
    }
    bool put(Msg v) {
        place(std::move(v));
        return true;
    }
    bool open(Msg v) {
        if (stack_.size() >= kMaxDepth) return refuse("nested too deep");
        stack_.push_back(place(std::move(v)));
        return true;
    }
    bool close() {
        stack_.pop_back();
        return true;
    }
    Msg &root_;
    std::vector<Msg *> stack_;
    std::string key_;
    std::string why_;
};

}  // namespace

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string encode_frame(const Msg &m) {
    std::string out(4, '\0');
    nlohmann::json::to_cbor(m, out);  // appends
    size_t n = out.size() - 4;
    if (n > kMaxFrame)
        throw Error(Errc::backend,
                    "remote protocol: a message of " + std::to_string(n) + " bytes is too large");
    out[0] = static_cast<char>(n >> 24);
    out[1] = static_cast<char>(n >> 16);
    out[2] = static_cast<char>(n >> 8);
    out[3] = static_cast<char>(n);
    return out;
}

bool FrameReader::fill(size_t need, int64_t deadline) {
    while (buf_.size() - pos_ < need) {
        if (pos_ > 0 && (pos_ == buf_.size() || pos_ > kChunk)) {
            buf_.erase(0, pos_);  // consumed frames
            pos_ = 0;
        }
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();
            pollfd p{fd_, POLLIN, 0};
            int r = left > 0 ? ::poll(&p, 1, static_cast<int>(left)) : 0;
            if (r < 0 && errno == EINTR) continue;
            if (r == 0) {
                timed_out_ = true;
                return false;
            }
        }
        char tmp[65536];
        ssize_t n = ::read(fd_, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == ECONNRESET) return false;
        if (n < 0)
            throw Error(Errc::transport, std::string("read: ") + std::strerror(errno), errno);
        if (n == 0) return false;
        buf_.append(tmp, static_cast<size_t>(n));
    }
    return true;
}

bool FrameReader::find_magic(int timeout_ms, size_t max_skip, std::string &skipped) {
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        auto at = buf_.find(kMagic, pos_, kMagicLen);
        if (at != std::string::npos) {
            skipped = buf_.substr(pos_, at - pos_);
            pos_ = at + kMagicLen;
            return true;
        }
        // Keep a tail that may be the start of the magic.
        size_t avail = buf_.size() - pos_;
        if (avail > max_skip) {
            skipped = buf_.substr(pos_, max_skip);
            return false;
        }
        if (!fill(avail + 1, deadline)) {
            skipped = buf_.substr(pos_);
            return false;
        }
    }
}

bool FrameReader::next(Msg &out, int timeout_ms) {
    int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    if (!fill(4, deadline)) {
        if (buf_.size() > pos_ && !timed_out_)
            throw Error(Errc::transport, "the stream ended inside a message");
        return false;
    }
    if (!fill(4 + frame_length(), deadline)) {
        if (!timed_out_) throw Error(Errc::transport, "the stream ended inside a message");
        return false;
    }
    return take(out);
}

size_t FrameReader::frame_length() const {
    auto b = reinterpret_cast<const unsigned char *>(buf_.data() + pos_);
    size_t n = (size_t{b[0]} << 24) | (size_t{b[1]} << 16) | (size_t{b[2]} << 8) | b[3];
    if (n == 0 || n > kMaxFrame)
        throw Error(Errc::transport, "malformed message: length " + std::to_string(n));
    return n;
}

bool FrameReader::read_available() {
    if (pos_ > 0 && (pos_ == buf_.size() || pos_ > kChunk)) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    for (;;) {
        char tmp[65536];
        ssize_t n = ::recv(fd_, tmp, sizeof tmp, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        if (n <= 0) return false;
        buf_.append(tmp, static_cast<size_t>(n));
        if (static_cast<size_t>(n) < sizeof tmp) return true;
    }
}

bool FrameReader::take(Msg &out) {
    if (buf_.size() - pos_ < 4) return false;
    size_t n = frame_length();
    if (buf_.size() - pos_ < 4 + n) return false;
    out = Msg();
    MsgBuilder builder(out);
    if (!Msg::sax_parse(buf_.begin() + static_cast<std::ptrdiff_t>(pos_ + 4),
                        buf_.begin() + static_cast<std::ptrdiff_t>(pos_ + 4 + n), &builder,
                        Msg::input_format_t::cbor))
        throw Error(Errc::transport, "malformed message: " + builder.why());
    pos_ += 4 + n;
    if (!out.is_object() || !out.contains("t") || !out["t"].is_string())
        throw Error(Errc::transport, "malformed message: not a typed map");
    return true;
}

Msg error_reply(uint64_t id, int code, const std::string &msg, int sys_errno) {
    return Msg{{"t", "err"}, {"id", id}, {"code", code}, {"msg", msg}, {"errno", sys_errno}};
}

Error error_from_reply(const Msg &m) {
    int code = m.value("code", static_cast<int>(Errc::backend));
    if (code < static_cast<int>(Errc::invalid_spec) || code > static_cast<int>(Errc::abi))
        code = static_cast<int>(Errc::backend);
    return Error(static_cast<Errc>(code), m.value("msg", std::string("(no message)")),
                 m.value("errno", 0));
}

}  // namespace ct::remote
