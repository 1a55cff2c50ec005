// Peer bookkeeping: add, back off on failure, ban on invalid data.
#include <beastchain/node/peer_table.hpp>

#include <algorithm>
#include <tuple>

namespace beastchain::node {

peer_table::peer_table(std::size_t max_peers, backoff_policy policy)
    : max_peers_(max_peers)
    , policy_(policy)
{}

peer_table::add_result
peer_table::add(net::peer_url url, std::uint64_t now_ms, bool announced, std::string* evicted)
{
    if (peer_info* known = find_mutable(url.normalized)) {
        if (!announced) {
            known->announced = false; // the operator vouches for it now, wherever it points
            known->url.public_only = url.public_only;
        }
        return add_result::known;
    }
    if (peers_.size() >= max_peers_) {
        if (announced)
            return add_result::full;
        // The worst announced peer makes room: banned first, then the most failures, then the
        // one heard from least recently.
        auto worst = peers_.end();
        const auto rank = [now_ms](const peer_info& p) {
            return std::tuple(p.banned_until_ms > now_ms, p.failures, ~p.last_seen_ms);
        };
        for (auto it = peers_.begin(); it != peers_.end(); ++it)
            if (it->announced && (worst == peers_.end() || rank(*it) > rank(*worst)))
                worst = it;
        if (worst == peers_.end())
            return add_result::full;
        if (evicted != nullptr)
            *evicted = worst->url.normalized;
        peers_.erase(worst);
    }
    peer_info p;
    p.url = std::move(url);
    p.added_ms = now_ms;
    p.announced = announced;
    peers_.push_back(std::move(p));
    return add_result::added;
}

bool peer_table::remove(const std::string& normalized)
{
    const auto it = std::find_if(peers_.begin(), peers_.end(), [&](const peer_info& p) {
        return p.url.normalized == normalized;
    });
    if (it == peers_.end())
        return false;
    peers_.erase(it);
    return true;
}

const peer_info* peer_table::find(const std::string& normalized) const
{
    const auto it = std::find_if(peers_.begin(), peers_.end(), [&](const peer_info& p) {
        return p.url.normalized == normalized;
    });
    return it == peers_.end() ? nullptr : &*it;
}

peer_info* peer_table::find_mutable(const std::string& normalized)
{
    return const_cast<peer_info*>(std::as_const(*this).find(normalized));
}

void peer_table::succeeded(const std::string& normalized, std::uint64_t now_ms)
{
    if (peer_info* p = find_mutable(normalized)) {
        p->last_seen_ms = now_ms;
        p->failures = 0;
        p->retry_at_ms = 0;
        p->last_error.clear();
    }
}

void peer_table::failed(const std::string& normalized, std::uint64_t now_ms, std::string why)
{
    peer_info* p = find_mutable(normalized);
    if (p == nullptr)
        return;
    ++p->failures;
    // base * 2^(failures-1), computed without overflowing for a long-dead peer.
    const unsigned shift = std::min(p->failures - 1, 30u);
    const std::uint64_t rest = std::min(policy_.max_ms, policy_.base_ms << shift);
    p->retry_at_ms = now_ms + rest;
    p->last_error = std::move(why);
}

void peer_table::ban(
    const std::string& normalized, std::uint64_t now_ms, std::uint64_t seconds, std::string why
)
{
    if (peer_info* p = find_mutable(normalized)) {
        p->banned_until_ms = now_ms + seconds * 1000;
        p->last_error = std::move(why);
    }
}

std::string_view peer_table::state(const peer_info& p, std::uint64_t now_ms) const noexcept
{
    if (banned(p, now_ms))
        return "banned";
    if (p.retry_at_ms > now_ms)
        return "backoff";
    return p.last_seen_ms == 0 ? "new" : "ok";
}

} // namespace beastchain::node
