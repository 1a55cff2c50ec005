// The wallet's key file: created owner-only, and refused when anyone else could read it, as ssh does.
#pragma once

#include <beastchain/core/keys.hpp>

#include <filesystem>
#include <stdexcept>

namespace beastchain::wallet {

/// A refusal with a message for the user (bad permissions, no file, not a key file).
struct wallet_error : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

/// The default key file: $HOME/.beastchain/wallet.json.
std::filesystem::path default_key_file();

/// Creates `path` with a fresh key: mode 0600, never over an existing file, synced to disk
/// before it returns; a missing parent directory is created 0700.
core::secret_key create_key_file(const std::filesystem::path& path);

/// Reads the key in `path`. Refuses a file that is not the caller's, or that its group or others
/// may read or write (a key others could read is no longer secret).
core::secret_key read_key_file(const std::filesystem::path& path);

/// The key in `path`, created first if there is none: a node's own key in its data directory.
core::secret_key open_key_file(const std::filesystem::path& path);

} // namespace beastchain::wallet
