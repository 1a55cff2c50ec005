// Route table lookup and the error layer around handlers.
#include <beastchain/log.hpp>
#include <beastchain/net/router.hpp>

#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace beastchain::net {

std::string_view target_path(std::string_view target) noexcept
{
    return target.substr(0, std::min(target.find('?'), target.size()));
}

std::string_view last_segment(std::string_view target) noexcept
{
    const std::string_view path = target_path(target);
    return path.substr(path.rfind('/') + 1);
}

namespace {

/// Exact match, or a `/{}` pattern matching one non-empty final segment.
bool path_matches(std::string_view pattern, std::string_view path) noexcept
{
    constexpr std::string_view wildcard = "{}";
    if (!pattern.ends_with(wildcard))
        return pattern == path;
    const std::string_view prefix = pattern.substr(0, pattern.size() - wildcard.size());
    return path.size() > prefix.size() && path.starts_with(prefix) &&
           path.find('/', prefix.size()) == std::string_view::npos;
}

} // namespace

void router::add(std::string path, http::verb verb, handler h, route_options opts)
{
    routes_.push_back({std::move(path), verb, std::move(h), opts, {}});
}

void router::add_feed(std::string path, feed_handler h, route_options opts)
{
    routes_.push_back({std::move(path), http::verb::get, {}, opts, std::move(h)});
}

router::match router::find(std::string_view target, http::verb verb) const
{
    const std::string_view path = target_path(target);
    match m;
    for (const route& r : routes_) {
        if (!path_matches(r.path, path))
            continue;
        m.pattern = r.path;
        if (r.verb == verb) {
            m.result = outcome::found;
            m.target = &r.fn;
            m.feed = r.feed ? &r.feed : nullptr;
            m.options = r.options;
        }
        if (!m.allow.empty())
            m.allow += ", ";
        m.allow += std::string(http::to_string(r.verb));
    }
    if (m.target == nullptr && !m.allow.empty())
        m.result = outcome::method_not_allowed;
    if (m.result != outcome::method_not_allowed)
        m.allow.clear();
    return m;
}

boost::asio::awaitable<response> router::dispatch(const request& req, const client& from) const
{
    const match m = find(req.target(), req.method());
    response res;
    switch (m.result) {
    case outcome::not_found:
        res = error_response(
            http::status::not_found, "not_found", "no route for " + std::string(target_path(req.target()))
        );
        break;
    case outcome::method_not_allowed:
        res = error_response(
            http::status::method_not_allowed,
            "method_not_allowed",
            std::string(req.method_string()) + " is not allowed here; use " + m.allow
        );
        res.set(http::field::allow, m.allow);
        break;
    case outcome::found: {
        std::exception_ptr failure;
        try {
            res = co_await (*m.target)(req, from);
        } catch (const std::exception& e) {
            log::error(
                "handler for " + std::string(req.method_string()) + " " + std::string(req.target()) +
                " failed: " + e.what()
            );
            failure = std::current_exception();
        }
        if (failure)
            res = error_response(
                http::status::internal_server_error, "internal_error", "the request could not be completed"
            );
        break;
    }
    }
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    co_return res;
}

} // namespace beastchain::net
