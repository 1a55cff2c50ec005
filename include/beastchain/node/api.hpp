// The node's HTTP API: one route list, answering "starting" until the node has loaded.
#pragma once

#include <beastchain/net/router.hpp>

#include <atomic>

namespace beastchain::node {

class node;

/// Builds the route table once, before serving: while `live` is null (the stored chain is still
/// loading) /health and the API answer 503 "starting", so probes get an answer instead of a
/// hang; once the node is published there, every route is its handler. The table never changes,
/// so I/O threads read it without a lock. `live` and the node it names must outlive the router.
net::router make_api(const std::atomic<node*>& live);

} // namespace beastchain::node
