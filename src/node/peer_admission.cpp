// Announced-peer admission: probe slots, the refusal memory, and the /status shape check.
#include "peer_admission.hpp"

#include <beastchain/json/peer_messages.hpp>

#include "peer_calls.hpp"

namespace beastchain::node {

namespace asio = boost::asio;

std::optional<peer_admission::verdict> peer_admission::begin(const std::string& address)
{
    const std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (const auto it = refused_.find(address); it != refused_.end()) {
        if (it->second > now)
            return verdict::refuse;
        refused_.erase(it);
    }
    if (probing_ >= max_probes)
        return verdict::busy;
    ++probing_;
    return std::nullopt;
}

void peer_admission::end(const std::string& address, bool admitted)
{
    const std::lock_guard lock(mutex_);
    --probing_;
    if (admitted)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (refused_.size() >= max_remembered)
        std::erase_if(refused_, [now](const auto& kv) { return kv.second <= now; });
    if (refused_.size() < max_remembered) // still full of fresh refusals: probe again rather than grow
        refused_[address] = now + remember_for;
}

asio::awaitable<peer_admission::verdict> peer_admission::check(net::peer_url peer, const config& cfg)
{
    const std::string address = peer.normalized;
    if (const auto early = begin(address))
        co_return *early;
    const net::peer_result res = co_await peer_calls::get_status(std::move(peer), cfg.peer);
    bool admitted = false, other_network = false;
    if (res.reply && res.reply->json) {
        const auto st = peer_calls::status_in(*res.reply, cfg.max_json_depth);
        // Another protocol or another genesis is another network: no use holding a slot for it.
        admitted = st && st->protocol == json::protocol_version;
        if (admitted && st->network() != core::genesis_hash_for(cfg.consensus))
            admitted = false, other_network = true;
    }
    end(address, admitted);
    co_return admitted ? verdict::admit : other_network ? verdict::other_network : verdict::refuse;
}

} // namespace beastchain::node
