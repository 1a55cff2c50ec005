// A pure {path, verb} -> handler table: tells 404 from 405, turns handler exceptions into a 500.
#pragma once

#include <beastchain/net/access.hpp>
#include <beastchain/net/http.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace beastchain::net {

/// A route handler: the request, and who sent it (for rules that depend on the source address).
using handler = std::function<boost::asio::awaitable<response>(const request&, const client&)>;

/// A live stream the session writes to its client as the text arrives (net/event_hub.hpp).
class event_feed
{
public:
    virtual ~event_feed() = default;
    /// The next text to send, after waiting for some; empty when the stream is over.
    virtual boost::asio::awaitable<std::string> next() = 0;
    /// A write stalled past its deadline: the reader is too slow and is dropped.
    virtual void write_failed() = 0;
};

/// A stream route's answer: a refusal (any reply), or the feed the session writes until it ends.
using feed_result = std::variant<response, std::unique_ptr<event_feed>>;
/// A stream route's handler: called on the session's executor, which the feed then runs on.
using feed_handler =
    std::function<feed_result(const request&, const client&, const boost::asio::any_io_executor&)>;

/**
 * Routes requests by path (the query string is ignored) and method. A path is matched exactly,
 * except that a route ending in `/{}` matches any one non-empty final segment there
 * (`/blocks/{}` matches `/blocks/7`, not `/blocks/` or `/blocks/7/x`); the handler reads it with
 * `last_segment`.
 *
 * Lookup does no I/O, so it is unit-tested without sockets. `dispatch` adds what every reply
 * needs: the request's HTTP version and keep-alive, `Allow` on 405, and a generic 500 (logged,
 * with no internals in the body) when a handler throws.
 *
 * @par Thread Safety
 * Build it before serving; afterwards it is read-only and safe to share.
 */
struct route_options
{
    /// When not 0, caps this route's request bodies below the server's limit; the session applies
    /// it after reading the headers, so an oversized body is refused (413) unread.
    std::size_t max_body = 0;
    /// The session watches the connection while the handler runs and cancels the handler when
    /// the client goes away (for handlers that queue costly work, such as /mine).
    bool cancel_when_client_leaves = false;
    /// Operator routes need the token (access_policy), checked before the body is read.
    route_access access = route_access::open;
    /// Mines, syncs, adds or changes state: refused when a browser marks it cross-site.
    bool side_effects = false;
};

class router
{
public:
    void add(std::string path, http::verb verb, handler h, route_options opts = {});
    /// A GET route whose reply is a stream (Server-Sent Events), written by the session.
    void add_feed(std::string path, feed_handler h, route_options opts = {});

    enum class outcome
    {
        found,
        not_found,
        method_not_allowed
    };
    struct match
    {
        outcome result = outcome::not_found;
        const handler* target = nullptr;
        const feed_handler* feed = nullptr; ///< set instead of `target` on a stream route
        std::string allow;                  ///< comma-separated methods for the path, on method_not_allowed
        /// The matched route's pattern (`/blocks/{}`), empty on not_found: a bounded label for
        /// metrics, whatever paths clients send.
        std::string_view pattern;
        route_options options; ///< the found route's
    };

    match find(std::string_view target, http::verb verb) const;

    boost::asio::awaitable<response> dispatch(const request& req, const client& from) const;

private:
    struct route
    {
        std::string path;
        http::verb verb;
        handler fn;
        route_options options;
        feed_handler feed;
    };
    std::vector<route> routes_;
};

/// The path part of a request target (everything before '?').
std::string_view target_path(std::string_view target) noexcept;

/// The final segment of a request target's path (`/blocks/7?x` -> `7`).
std::string_view last_segment(std::string_view target) noexcept;

} // namespace beastchain::net
