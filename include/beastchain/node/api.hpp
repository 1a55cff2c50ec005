// The node's HTTP API: the tutorial's five routes bound to a node in a router table.
#pragma once

#include <beastchain/net/router.hpp>

namespace beastchain::node {

class node;

/// Builds the route table. The node must outlive the router.
net::router make_api(node& n);

} // namespace beastchain::node
