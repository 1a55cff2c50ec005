// Coalesced sync rounds: on request, on a timer, and (rate-limited) on blocks that do not connect.
#pragma once

#include <beastchain/node/sync.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <deque>
#include <map>
#include <set>

#include "chain_state.hpp"
#include "peer_service.hpp"
#include "recent_hashes.hpp"

namespace beastchain::node {

/**
 * Owns sync rounds and the verifier thread. One round runs at a time; requests during a round
 * are served by one more round, so a burst of triggers costs at most two. A round asks every
 * usable peer concurrently (sync_with_peer), validates pages on the verifier, and offers the
 * best candidate to chain_state.
 *
 * @par Thread Safety
 * Everything runs on the chain strand, the round and timer coroutines included; only page
 * parsing and validation run on the verifier, inside sync_with_peer.
 */
class sync_service
{
public:
    using sync_handler = asio::any_completion_handler<void(std::exception_ptr, node_result<sync_outcome>)>;

    sync_service(chain_state& chain, peer_service& peers, metrics& stats);

    /// Starts the background sync (every --sync-interval s) and a first round if there are peers.
    void start();
    /// Cancels the timers; a running round finishes and answers its callers. Idempotent.
    void stop();
    /// Waits for the verifier thread (after the loop has stopped).
    void join() { verifier_.join(); }

    /// A round that starts after this call; `waiter` (if any) gets its outcome.
    void request(std::optional<sync_handler> waiter);
    /// A new link (peer_service::on_link): a round now, up to four at once; beyond that one
    /// deferred round a second, so a stream of announcements cannot chain rounds.
    void on_link();
    /// A valid block from `origin` that does not connect: starts or schedules the round it calls for.
    void on_orphan(const core::hash256& hash, const std::string& origin);

    /// CPU-bound work on untrusted input goes here, never on the I/O thread.
    asio::any_io_executor verifier() noexcept { return verifier_.get_executor(); }

private:
    asio::awaitable<void> run_round(std::vector<sync_handler> waiters);
    asio::awaitable<node_result<sync_outcome>> round(bool want_chain);
    node_result<sync_outcome>
    adopt_best(bool want_chain, std::vector<peer_failure> skipped, std::vector<peer_sync_result> results);
    asio::awaitable<void> run_background();
    /// Test only: throws once at the step `--fail-point` names.
    void hit_fail_point(std::string_view name);
    /// Records what one peer's sync taught us about chains not to download again.
    void remember(const peer_sync_result& r);

    chain_state& chain_;
    peer_service& peers_;
    metrics& stats_;
    const config& cfg_;
    asio::thread_pool verifier_{1}; ///< validates peers' chains off the I/O thread
    std::vector<sync_handler> waiters_;
    bool running_ = false;
    bool again_ = false;
    bool stopped_ = false;
    bool fail_point_fired_ = false;
    asio::steady_timer timer_;

    /// Invalid block hashes (and header tips descending from them), oldest dropped first, and
    /// per peer the claimed tip it did not deliver: see sync_view.
    recent_hashes rejected_{4096};
    std::map<std::string, undelivered_claim> undelivered_; ///< pruned to current peers

    /// Valid blocks that did not connect and started a sync round: replaying one starts no more,
    /// and each origin (a registered peer, or everyone else together) starts at most one round per
    /// `orphan_interval_ms`; one that comes sooner is served by a single deferred round.
    static constexpr std::uint64_t orphan_interval_ms = 1'000;
    recent_hashes recent_orphans_{1024};
    std::unordered_map<std::string, std::uint64_t> orphan_sync_at_; ///< pruned to current peers
    asio::steady_timer orphan_timer_;
    bool orphan_round_due_ = false;                ///< the deferred round is scheduled
    static constexpr std::uint64_t link_burst = 4; ///< link rounds at once before one a second
    std::uint64_t link_tokens_ms_ = link_burst * orphan_interval_ms;
    std::uint64_t link_refill_at_ms_ = 0;
    /// Rounds still to try after a new orphan if rounds keep adopting nothing (a race with the
    /// peers that relayed it); only rounds that asked at least one peer count.
    static constexpr unsigned orphan_retries = 3;
    unsigned orphan_retries_ = 0;
    bool last_round_asked_peers_ = false;
    /// One round `delay_ms` from now (unless one is already due); `key` is the origin whose
    /// orphan budget it spends.
    void schedule_orphan_round(std::uint64_t delay_ms, std::optional<std::string> key);
};

} // namespace beastchain::node
