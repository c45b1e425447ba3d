// Session URIs (api/src/uri.cpp) and what the backends read from them: the remote target
// (backends/remote/target.cpp, which builds an ssh command line from it) and the openvz
// session options. URIs come from -c/--connect, CT_CONNECT and migrate --to.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ct/error.hpp"
#include "ct/internal/uri.hpp"
#include "options.hpp"
#include "target.hpp"

namespace {

[[noreturn]] void fail(const std::string &what, const std::string &uri) {
    std::fprintf(stderr, "%s: '%s'\n", what.c_str(), uri.c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string text(reinterpret_cast<const char *>(data), size);
    ct::uri::Uri u;
    try {
        u = ct::uri::parse_uri(text);
    } catch (const ct::Error &) {
        return 0;
    }
    // The normalized text is what a backend gets: it must read as the same URI there.
    ct::uri::Uri again;
    try {
        again = ct::uri::parse_uri(u.text);
    } catch (const ct::Error &) {
        fail("the normalized URI is refused", u.text);
    }
    if (again.text != u.text || again.scheme != u.scheme || again.backend != u.backend ||
        again.transport != u.transport || again.user != u.user || again.host != u.host ||
        again.port != u.port || again.path != u.path || again.query != u.query)
        fail("the normalized URI reads differently", u.text);

    try {
        (void)ct::openvz::parse_uri(text);
    } catch (const ct::Error &) {
    }
    try {
        ct::remote::Target t = ct::remote::parse_target(text, "/usr/libexec/ct/ct-agent");
        // The host and user end up as ssh arguments: never as options of ssh.
        (void)ct::remote::ssh_argv(t, "ssh");
        if (t.host.empty() || t.host[0] == '-' || (!t.user.empty() && t.user[0] == '-'))
            fail("an ssh option slipped through as host or user", text);
        // The far agent opens inner_uri: it must not name another host to go on to.
        ct::uri::Uri inner;
        try {
            inner = ct::uri::parse_uri(t.inner_uri);
        } catch (const ct::Error &) {
            return 0;
        }
        if (!inner.host.empty() || !inner.transport.empty())
            fail("the far side's URI names a host", t.inner_uri);
    } catch (const ct::Error &) {
    }
    return 0;
}
