// The node's HTTP API: one route list, bound to a node or answering "starting" while it loads.
#pragma once

#include <beastchain/net/router.hpp>

namespace beastchain::node {

class node;

/// Builds the route table. The node must outlive the router.
net::router make_api(node& n);

/// The same routes while the stored chain loads: /health and the API answer 503 "starting", so
/// probes get an answer instead of a hang.
net::router make_startup_api();

} // namespace beastchain::node
