// The beastchain-node program: parse flags, listen, run the io_context, shut down on a signal.
#pragma once

namespace beastchain::node {

/// Runs the node until SIGINT or SIGTERM. Returns the process exit code: 0 after a clean stop,
/// 1 when the data directory is locked, unreadable or corrupt, 2 for bad flags or an address
/// that cannot be bound.
int run(int argc, const char* const argv[]);

} // namespace beastchain::node
