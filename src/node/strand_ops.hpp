// Crossing onto the chain strand and back: run a function there, and answer a parked caller.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <type_traits>
#include <utility>

namespace beastchain::node {

namespace asio = boost::asio;

using chain_strand = asio::strand<asio::io_context::executor_type>;

/// Runs `fn` on `ex` (the chain strand, or the verifier for CPU-bound checks) and resumes the
/// awaiting coroutine on its own executor with the result. An exception thrown by `fn` is
/// rethrown in the caller.
template <class Executor, class Fn> asio::awaitable<std::invoke_result_t<Fn&>> on_executor(Executor ex, Fn fn)
{
    using result = std::invoke_result_t<Fn&>;
    auto initiate = [ex](auto handler, Fn f) {
        asio::post(ex, [h = std::move(handler), f = std::move(f)]() mutable {
            std::exception_ptr failure;
            result r{};
            try {
                r = f();
            } catch (...) {
                failure = std::current_exception();
            }
            auto ex = asio::get_associated_executor(h);
            asio::dispatch(ex, [h = std::move(h), failure, r = std::move(r)]() mutable {
                std::move(h)(failure, std::move(r));
            });
        });
    };
    return asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, result)>(
        initiate, asio::use_awaitable, std::move(fn)
    );
}

template <class Fn> asio::awaitable<std::invoke_result_t<Fn&>> on_strand(const chain_strand& strand, Fn fn)
{
    return on_executor(strand, std::move(fn));
}

/// Answers a parked caller (a /mine or /sync-chain handler) with `r` on the caller's own
/// executor, never inline on the strand.
template <class Handler, class Result> void complete(Handler h, Result r, std::exception_ptr failed = nullptr)
{
    auto ex = asio::get_associated_executor(h);
    asio::dispatch(ex, [h = std::move(h), r = std::move(r), failed]() mutable {
        std::move(h)(failed, std::move(r));
    });
}

/// Starts `op` on the strand from a fresh handler. co_spawn alone dispatches, which would run the
/// coroutine inline, up to its first wait, inside whatever strand code asked for it (a loop over
/// peers, a ledger event); posting first keeps each start a step of its own.
template <class Awaitable, class Token> void spawn_on(const chain_strand& strand, Awaitable op, Token token)
{
    asio::post(strand, [strand, op = std::move(op), token = std::move(token)]() mutable {
        asio::co_spawn(strand, std::move(op), std::move(token));
    });
}

} // namespace beastchain::node
