#pragma once
// The medvlm version and the git commit it was built from, recorded in every
// run manifest.

#include <string>

namespace medvlm {

[[nodiscard]] std::string medvlm_version();

// The commit hash, with "-dirty" when the working tree had uncommitted
// changes at build time, or "unknown" outside a git checkout.
[[nodiscard]] std::string medvlm_git_commit();

}  // namespace medvlm
