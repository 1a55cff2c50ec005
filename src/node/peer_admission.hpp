// Admission of announced peers: a bounded number of /status probes, and refusals remembered.
#pragma once

#include <beastchain/net/peer_url.hpp>
#include <beastchain/node/config.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace beastchain::node {

/**
 * Decides whether an address a stranger announced is a beastchain node worth a slot. Anyone
 * may announce, so each announcement could make the node probe some host: at most
 * `max_probes` probes run at once (more are answered "busy"), and an address refused in the
 * last `remember_for` is refused again without a probe, so the node is neither a port
 * scanner nor a reflector.
 *
 * @par Thread Safety
 * check() may be awaited from any I/O thread; the counters are behind a mutex.
 */
class peer_admission
{
public:
    enum class verdict
    {
        admit,
        refuse,
        busy,          ///< too many probes in flight: try again later
        other_network, ///< a beastchain node, on another chain: a different network, not a fault
    };

    static constexpr std::size_t max_probes = 8;
    static constexpr std::size_t max_remembered = 4096;
    static constexpr std::chrono::minutes remember_for{10};

    /// Probes `peer` (GET /status; only public addresses when peer.public_only): admitted when
    /// it answers as a node of this protocol version.
    boost::asio::awaitable<verdict> check(net::peer_url peer, const config& cfg);

private:
    /// Takes a probe slot (nullopt), or says why not.
    std::optional<verdict> begin(const std::string& address);
    void end(const std::string& address, bool admitted);

    std::mutex mutex_;
    std::size_t probing_ = 0;
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> refused_; ///< until when
};

} // namespace beastchain::node
