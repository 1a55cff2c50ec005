// Scripted misbehaving peers on loopback: one that serves a fixed reply, one that never answers.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace beastchain::test {

/// Listens on a free loopback port in a background thread and misbehaves as `mode` says.
class fake_peer
{
public:
    enum class mode
    {
        serve,  ///< answer with `status` and `body`
        silent, ///< accept and never answer
        endless ///< answer 200 with a chunked body that never ends
    };
    fake_peer(mode m, std::string body = {}, unsigned status = 200);
    ~fake_peer();

    /// In serve mode, answer requests for `path` (the query is ignored) with `status` and `body`
    /// instead of the default; status 0 closes the connection without answering.
    void route(std::string path, unsigned status, std::string body);

    /// In serve mode, pass every request on to a real node at `upstream_port` and relay its reply,
    /// but only after sitting on it for `delay`: a slow (or dripping) peer with real data.
    void forward_slowly(std::uint16_t upstream_port, std::chrono::milliseconds delay);

    std::uint16_t port() const noexcept;
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
    int requests_seen() const noexcept;
    /// Serve-mode requests for one route, named as "GET /status" (the query is ignored).
    int requests_to(std::string_view verb_and_path) const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace beastchain::test
