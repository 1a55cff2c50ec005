// Server-Sent Events fan-out: one bounded ring of frames that every stream reads at its own pace.
#pragma once

#include <beastchain/net/access.hpp>
#include <beastchain/net/router.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace beastchain::net {

struct event_hub_settings
{
    std::size_t ring = 1024; ///< frames kept; a stream further behind than this is dropped
    /// At most one write per stream in this time: events in between go out as one write, so a
    /// burst costs each stream one system call, not one per event.
    std::chrono::milliseconds flush_interval{100};
    std::chrono::milliseconds heartbeat{15'000}; ///< a comment line, so dead readers are found
    std::size_t max_streams = 1024;
    /// Per source as the write budget counts it (an IPv4 address or an IPv6 /64).
    std::size_t max_streams_per_source = 8;
    /// Loopback is exempt from the per-source cap unless this is set (--limit-loopback: behind
    /// a reverse proxy every client is loopback).
    bool limit_loopback = false;
    /// At most this much text per write: a reader far behind catches up in bounded pieces, so
    /// what one stream holds (and copies under the hub's lock) is bounded too.
    std::size_t max_write_bytes = 64 * 1024;
};

/**
 * Publishers append events (an SSE frame with an id) to a ring of fixed size; each
 * stream keeps only its cursor. Memory is the ring's, however many streams are open and however
 * slowly they read: a stream that falls behind the ring is closed (its client reconnects with
 * Last-Event-ID and is told to reload), and one whose write stalls is closed by the session.
 *
 * @par Thread Safety
 * Every member may be called from any thread. A stream's `next()` runs on its session's
 * executor, and a publish wakes it by posting there.
 */
class event_hub
{
public:
    explicit event_hub(event_hub_settings s = {});
    ~event_hub();
    event_hub(const event_hub&) = delete;
    event_hub& operator=(const event_hub&) = delete;

    /// Appends one event; `data` must be one line (JSON is).
    void publish(std::string_view type, std::string_view data);
    /// Ends every stream and refuses new ones (shutdown).
    void close();

    enum class refusal
    {
        none,
        too_many,
        too_many_from_source,
        closed
    };
    struct subscription
    {
        std::unique_ptr<event_feed> feed; ///< null when refused
        refusal why = refusal::none;
    };
    /// A stream for `from`, running on `ex`. It starts after the event whose id is `last_id` (a
    /// Last-Event-ID header) when the ring still holds what followed it, else at the newest event
    /// with a `reset` event first (the client missed some and must reload what it shows). Ids
    /// are `EPOCH-SEQ`, EPOCH fixed per hub, so an id from before a restart is a gap, not a place.
    /// An empty `last_id` starts at the newest event, with no reset.
    subscription subscribe(const client& from, std::string_view last_id, boost::asio::any_io_executor ex);

    struct counters
    {
        std::size_t streams = 0;
        std::uint64_t published = 0;
        std::uint64_t dropped_slow = 0; ///< closed for falling behind or stalling a write
    };
    counters stats() const;

    struct state; ///< shared with the streams, which may outlive the hub at process exit
private:
    std::shared_ptr<state> state_;
};

} // namespace beastchain::net
