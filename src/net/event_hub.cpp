// The event ring, its streams' cursors and how a publish wakes a parked stream.
#include <beastchain/net/client_budget.hpp>
#include <beastchain/net/event_hub.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <charconv>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "stream.hpp"

namespace beastchain::net {

namespace asio = boost::asio;
using detail::use_nothrow;

namespace {

/// A stream parked until the next publish: its timer runs on the session's executor, so the
/// publisher posts the wake-up there instead of touching the timer from its own thread.
struct waiter
{
    explicit waiter(asio::any_io_executor ex)
        : timer(std::move(ex))
    {}
    asio::steady_timer timer;
};

} // namespace

struct event_hub::state
{
    explicit state(event_hub_settings s)
        : settings(s)
    {
        // A random epoch per hub (per process): a client's id from before a restart is then
        // recognisably someone else's numbering.
        std::random_device rd;
        char hex[17];
        std::snprintf(hex, sizeof hex, "%08x%08x", rd(), rd());
        epoch = hex;
    }

    bool limited(const client& from) const { return settings.limit_loopback || !from.loopback(); }

    struct frame
    {
        std::uint64_t seq;
        std::string text;
    };

    const event_hub_settings settings;
    std::string epoch;
    std::mutex mutex;
    std::deque<frame> ring;     ///< seqs ring.front().seq .. next_seq - 1
    std::uint64_t next_seq = 1; ///< SSE ids start at 1
    bool closed = false;
    std::set<std::shared_ptr<waiter>> waiting;
    std::map<std::string, std::size_t> per_source; ///< by source_key()
    std::size_t streams = 0;
    std::uint64_t published = 0;
    std::uint64_t dropped_slow = 0;

    /// Under the lock: wakes every parked stream.
    void wake_all()
    {
        for (const auto& w : waiting)
            asio::post(w->timer.get_executor(), [w] { w->timer.cancel(); });
        waiting.clear();
    }
};

namespace {

class hub_stream final : public event_feed
{
public:
    hub_stream(
        std::shared_ptr<event_hub::state> st,
        client from,
        std::uint64_t cursor,
        bool reset,
        asio::any_io_executor ex
    )
        : st_(std::move(st))
        , from_(std::move(from))
        , cursor_(cursor)
        , reset_(reset)
        , waiter_(std::make_shared<waiter>(std::move(ex)))
    {}

    ~hub_stream() override
    {
        const std::lock_guard lock(st_->mutex);
        st_->waiting.erase(waiter_);
        --st_->streams;
        if (st_->limited(from_)) {
            auto it = st_->per_source.find(source_key(from_.address));
            if (it != st_->per_source.end() && --it->second == 0)
                st_->per_source.erase(it);
        }
    }

    asio::awaitable<std::string> next() override
    {
        if (flushed_) {
            // The per-stream rate: what arrives meanwhile goes out in the next write.
            waiter_->timer.expires_at(last_flush_ + st_->settings.flush_interval);
            co_await waiter_->timer.async_wait(use_nothrow);
        }
        for (;;) {
            if (auto text = take())
                co_return std::move(*text);
            auto [ec] = co_await waiter_->timer.async_wait(use_nothrow);
            if (!ec) {
                // Nothing for a heartbeat's time: a comment line, so a dead reader's write fails.
                const std::lock_guard lock(st_->mutex);
                st_->waiting.erase(waiter_);
                if (st_->closed)
                    co_return std::string();
                co_return std::string(": keep-alive\n\n");
            }
        }
    }

    void write_failed() override
    {
        const std::lock_guard lock(st_->mutex);
        ++st_->dropped_slow;
    }

private:
    /// The text to send now, or nothing after parking the stream until the next publish. An
    /// empty string ends the stream.
    std::optional<std::string> take()
    {
        const std::lock_guard lock(st_->mutex);
        if (st_->closed)
            return std::string();
        if (!st_->ring.empty() && cursor_ < st_->ring.front().seq) {
            ++st_->dropped_slow; // overtaken by the ring: its client reconnects and reloads
            return std::string();
        }
        std::string out;
        if (reset_) {
            out = "event: reset\ndata: {}\n\n";
            reset_ = false;
        }
        if (!st_->ring.empty() && cursor_ < st_->next_seq) {
            // Whole frames, at least one, up to the write cap; the rest waits for the next call.
            auto it = st_->ring.begin() + static_cast<std::ptrdiff_t>(cursor_ - st_->ring.front().seq);
            for (; it != st_->ring.end(); ++it) {
                if (!out.empty() && out.size() + it->text.size() > st_->settings.max_write_bytes)
                    break;
                out += it->text;
                cursor_ = it->seq + 1;
            }
        }
        if (!out.empty()) {
            flushed_ = true;
            last_flush_ = std::chrono::steady_clock::now();
            return out;
        }
        waiter_->timer.expires_after(st_->settings.heartbeat);
        st_->waiting.insert(waiter_);
        return std::nullopt;
    }

    std::shared_ptr<event_hub::state> st_;
    client from_;
    std::uint64_t cursor_; ///< the next seq to send
    bool reset_;
    std::shared_ptr<waiter> waiter_;
    bool flushed_ = false;
    std::chrono::steady_clock::time_point last_flush_;
};

} // namespace

event_hub::event_hub(event_hub_settings s)
    : state_(std::make_shared<state>(s))
{}

event_hub::~event_hub()
{
    close();
}

void event_hub::publish(std::string_view type, std::string_view data)
{
    const std::lock_guard lock(state_->mutex);
    if (state_->closed)
        return;
    const std::uint64_t seq = state_->next_seq++;
    std::string text = "id: " + state_->epoch + "-" + std::to_string(seq) + "\nevent: ";
    text.append(type).append("\ndata: ").append(data).append("\n\n");
    state_->ring.push_back({seq, std::move(text)});
    if (state_->ring.size() > state_->settings.ring)
        state_->ring.pop_front();
    ++state_->published;
    state_->wake_all();
}

void event_hub::close()
{
    const std::lock_guard lock(state_->mutex);
    state_->closed = true;
    state_->wake_all();
}

event_hub::subscription
event_hub::subscribe(const client& from, std::string_view last_id, asio::any_io_executor ex)
{
    const std::lock_guard lock(state_->mutex);
    state& st = *state_;
    if (st.closed)
        return {nullptr, refusal::closed};
    if (st.streams >= st.settings.max_streams)
        return {nullptr, refusal::too_many};
    if (st.limited(from)) {
        const std::string key = source_key(from.address);
        const auto it = st.per_source.find(key);
        if (it != st.per_source.end() && it->second >= st.settings.max_streams_per_source)
            return {nullptr, refusal::too_many_from_source};
        ++st.per_source[key];
    }
    ++st.streams;
    // Resume right after last_id when the ring still holds everything after it; a client that
    // missed events is told to reload (reset), then gets only new ones.
    const std::uint64_t oldest = st.ring.empty() ? st.next_seq : st.ring.front().seq;
    std::uint64_t cursor = st.next_seq;
    bool reset = false;
    if (!last_id.empty()) {
        // This hub's "EPOCH-SEQ" with SEQ still resumable; anything else is a gap.
        std::uint64_t seq = 0;
        const std::string_view prefix = st.epoch;
        const bool ours = last_id.size() > prefix.size() + 1 && last_id.starts_with(prefix) &&
                          last_id[prefix.size()] == '-';
        const char* first = last_id.data() + prefix.size() + 1;
        const char* end = last_id.data() + last_id.size();
        const bool parsed = ours && std::from_chars(first, end, seq).ptr == end;
        if (parsed && seq + 1 >= oldest && seq < st.next_seq)
            cursor = seq + 1;
        else
            reset = true;
    }
    return {std::make_unique<hub_stream>(state_, from, cursor, reset, std::move(ex)), refusal::none};
}

event_hub::counters event_hub::stats() const
{
    const std::lock_guard lock(state_->mutex);
    return {state_->streams, state_->published, state_->dropped_slow};
}

} // namespace beastchain::net
