#include "enter_filter.hpp"

#include <sys/wait.h>

namespace ct::openvz {

void EnterFilter::Matcher::set(std::string_view s) {
    len = s.size() < kMaxMarker ? s.size() : kMaxMarker;
    for (size_t i = 0; i < len; ++i) text[i] = s[i];
    fail[0] = fail[1] = 0;
    for (size_t i = 1, k = 0; i < len; ++i) {
        while (k > 0 && text[i] != text[k]) k = fail[k];
        if (text[i] == text[k]) ++k;
        fail[i + 1] = k;
    }
}

size_t EnterFilter::Matcher::step(size_t m, char c) const {
    if (m == len) m = fail[m];
    while (m > 0 && text[m] != c) m = fail[m];
    return text[m] == c ? m + 1 : 0;
}

EnterFilter::EnterFilter(std::string_view begin, std::string_view end) {
    begin_.set(begin);
    end_.set(end);
}

void EnterFilter::keep(char c) {
    if (kept_len_ < kKeep) {
        kept_[(kept_start_ + kept_len_++) % kKeep] = c;
    } else {
        kept_[kept_start_] = c;
        kept_start_ = (kept_start_ + 1) % kKeep;
    }
}

size_t EnterFilter::feed(const char *in, size_t n, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < n; ++i) {
        char c = in[i];
        switch (phase_) {
            case Phase::seek_begin:
                keep(c);
                begin_.matched = begin_.step(begin_.matched, c);
                if (begin_.len && begin_.matched == begin_.len) phase_ = Phase::begin_line;
                break;
            case Phase::begin_line:
                if (c == '\n') phase_ = Phase::pass;
                break;
            case Phase::pass: {
                // Bytes that may start the end marker are held; when they turn out not to, the
                // ones that no longer can are shown (they equal the marker's first bytes).
                size_t m = end_.matched, next = end_.step(m, c);
                size_t release = m + 1 - next;
                for (size_t k = 0; k < release; ++k) out[o++] = k < m ? end_.text[k] : c;
                end_.matched = next;
                if (end_.len && next == end_.len) phase_ = Phase::code;
                break;
            }
            case Phase::code:
                if (c >= '0' && c <= '9' && digits_ < 9) {
                    value_ = value_ * 10 + (c - '0');
                    ++digits_;
                } else {
                    if (digits_ > 0 && (c == '\r' || c == '\n')) code_ = static_cast<int>(value_);
                    phase_ = Phase::drain;
                }
                break;
            case Phase::drain:
                break;
        }
    }
    return o;
}

size_t EnterFilter::finish(char *out) {
    size_t o = 0;
    if (phase_ == Phase::seek_begin) {
        for (size_t k = 0; k < kept_len_; ++k) out[o++] = kept_[(kept_start_ + k) % kKeep];
        kept_len_ = 0;
    } else if (phase_ == Phase::pass) {
        for (size_t k = 0; k < end_.matched; ++k) out[o++] = end_.text[k];
        end_.matched = 0;
    }
    return o;
}

int EnterFilter::wait_status(int vzctl_status) const {
    if (code_ >= 0) return (code_ & 0xff) << 8;
    if (!WIFEXITED(vzctl_status) || WEXITSTATUS(vzctl_status) != 0) return vzctl_status;
    return 255 << 8;
}

}  // namespace ct::openvz
