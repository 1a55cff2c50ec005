// Per-source connection caps and write buckets, keyed by IPv4 address or IPv6 /64.
#include <beastchain/net/access.hpp>
#include <beastchain/net/client_budget.hpp>
#include <beastchain/net/peer_url.hpp>

#include <algorithm>
#include <cmath>

namespace beastchain::net {

std::string source_key(const boost::asio::ip::address& mapped)
{
    const boost::asio::ip::address a = unmapped(mapped);
    if (a.is_v4())
        return a.to_string();
    auto bytes = a.to_v6().to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

client_budget::client_budget(client_budget_settings s, std::size_t prune_above)
    : settings_(s)
    , prune_above_(prune_above)
{}

bool client_budget::exempt(const boost::asio::ip::address& a) const noexcept
{
    return !settings_.limit_loopback && client{a}.loopback();
}

client_budget::source& client_budget::entry(const boost::asio::ip::address& a, clock::time_point now)
{
    if (sources_.size() >= prune_above_)
        prune(now);
    auto [it, added] = sources_.try_emplace(source_key(a));
    if (added) {
        it->second.tokens = settings_.write_burst;
        it->second.refilled = now;
    }
    return it->second;
}

void client_budget::refill(source& s, clock::time_point now) const noexcept
{
    const double elapsed = std::chrono::duration<double>(now - s.refilled).count();
    if (elapsed > 0)
        s.tokens = std::min(settings_.write_burst, s.tokens + elapsed * settings_.write_rate);
    s.refilled = now;
}

void client_budget::prune(clock::time_point now)
{
    // A source with no connection and a full bucket is indistinguishable from a new one.
    for (auto it = sources_.begin(); it != sources_.end();) {
        refill(it->second, now);
        if (it->second.connections == 0 && it->second.tokens >= settings_.write_burst)
            it = sources_.erase(it);
        else
            ++it;
    }
    // Still full of recent writers (a swarm of sources): bounded memory beats their buckets.
    if (sources_.size() >= prune_above_)
        std::erase_if(sources_, [](const auto& kv) { return kv.second.connections == 0; });
}

bool client_budget::open_connection(const boost::asio::ip::address& a, clock::time_point now)
{
    if (exempt(a) || settings_.max_connections_per_source == 0)
        return true;
    source& s = entry(a, now);
    if (s.connections >= settings_.max_connections_per_source)
        return false;
    ++s.connections;
    return true;
}

void client_budget::close_connection(const boost::asio::ip::address& a, clock::time_point now)
{
    if (exempt(a) || settings_.max_connections_per_source == 0)
        return;
    const auto it = sources_.find(source_key(a));
    if (it == sources_.end() || it->second.connections == 0)
        return;
    --it->second.connections;
    refill(it->second, now);
    if (it->second.connections == 0 && it->second.tokens >= settings_.write_burst)
        sources_.erase(it);
}

std::optional<std::chrono::seconds>
client_budget::take_write(const boost::asio::ip::address& a, clock::time_point now)
{
    if (exempt(a) || settings_.write_rate <= 0)
        return std::nullopt;
    source& s = entry(a, now);
    refill(s, now);
    if (s.tokens >= 1) {
        s.tokens -= 1;
        return std::nullopt;
    }
    const double wait = (1 - s.tokens) / settings_.write_rate;
    return std::chrono::seconds(std::max<long long>(1, static_cast<long long>(std::ceil(wait))));
}

} // namespace beastchain::net
