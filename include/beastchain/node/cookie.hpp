// The operator's cookie: a fresh token in <data-dir>/.cookie, readable by its owner only.
#pragma once

#include <string>

namespace beastchain::node {

/// Writes `token` to `dir`/.cookie with mode 0600, atomically (a reader sees the old token or
/// the new one, never half), replacing any earlier cookie. Throws std::system_error on failure.
void write_cookie(const std::string& dir, const std::string& token);

/// Removes `dir`/.cookie at a clean stop; a missing one is not an error.
void remove_cookie(const std::string& dir) noexcept;

} // namespace beastchain::node
