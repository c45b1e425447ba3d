// "Did you mean ...?": the known word closest to a mistyped one.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ct::cli {

// The candidate nearest to `word` (edit distance, a swap of two neighbours counting as one
// edit), when it is near enough to be what was meant; or the one candidate `word` begins.
std::optional<std::string> closest(const std::string &word,
                                   const std::vector<std::string> &candidates);

}  // namespace ct::cli
