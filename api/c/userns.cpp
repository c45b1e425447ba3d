// User namespace id maps.
#include "internal.hpp"

using namespace ct::capi;

namespace {

int add_map(ct_handler *ct, bool uid, unsigned first, unsigned lower_first, unsigned count) {
    return guard([&] {
        auto l = lock(ct);
        ct->require_stopped();
        std::string fn = uid ? "libct_userns_add_uid_map" : "libct_userns_add_gid_map";
        if (count == 0) throw Failure(-LCTERR_INVARG, "an id map needs a count above 0");
        // Neither range may reach (uid_t)-1, which is no id, or wrap past it to 0.
        for (const auto &[name, start] : {std::pair{"first", first}, {"lower_first", lower_first}})
            if (uint64_t{start} + count - 1 > 4294967294u)
                throw Failure(-LCTERR_INVARG, fn + ": " + name + " " + std::to_string(start) +
                                                  " + count " + std::to_string(count) +
                                                  " goes past the last id 4294967294");
        (uid ? ct->spec.uid_map : ct->spec.gid_map).push_back({first, lower_first, count});
        return 0;
    });
}

}  // namespace

extern "C" {

int libct_userns_add_uid_map(ct_handler_t ct, unsigned int first, unsigned lower_first,
                             unsigned int count) {
    return add_map(ct, true, first, lower_first, count);
}

int libct_userns_add_gid_map(ct_handler_t ct, unsigned int first, unsigned lower_first,
                             unsigned int count) {
    return add_map(ct, false, first, lower_first, count);
}

}  // extern "C"
