// Parsing untrusted JSON in linear time, with per-message-kind caps checked before a value is built.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace beastchain::json {

/// Why an input was refused: the offending field (JSON-pointer-like path) and what was wrong with it.
struct decode_error
{
    std::string field;
    std::string detail;
};

/// The outcome of decoding untrusted input: a value or a decode_error.
template <class T> class decoded
{
public:
    decoded(T value)
        : v_(std::move(value))
    {}
    decoded(decode_error e)
        : v_(std::move(e))
    {}
    bool ok() const noexcept { return v_.index() == 0; }
    T& value() { return std::get<0>(v_); }
    const decode_error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, decode_error> v_;
};

/// Shape caps for one kind of message, enforced while scanning, before any value is built. They
/// also bound Boost.JSON's own work: its object hash tables never see more than `max_members`.
struct parse_limits
{
    std::size_t max_depth = 32;
    std::size_t max_members = 64;        ///< per object; no beastchain message needs more than ~15
    std::size_t max_elements = 64;       ///< per array
    std::size_t max_string_bytes = 4096; ///< per string or key (addresses are at most 256)
};

/// The smallest caps that fit each message kind.
namespace kind {
/// `POST /create-transaction`, `POST /register-node`: flat objects of a few short strings.
inline constexpr parse_limits client_request{8, 64, 64, 4096};
/// A peer's `/status` reply: one flat object of a few hundred bytes.
inline constexpr parse_limits status_reply{8, 64, 64, 4096};
/// A pushed block, a relayed batch or a `/blocks` page: arrays of up to `elements` entries.
constexpr parse_limits with_arrays(std::size_t elements) noexcept
{
    return {8, 64, elements, 4096};
}
} // namespace kind

/// Parses a request or response body in time linear in its size. Refuses invalid JSON or UTF-8,
/// nesting deeper than `limits.max_depth` (or `max_depth`, whichever is smaller), any cap of
/// `limits` exceeded, and a key repeated within one object.
decoded<boost::json::value>
parse_body(std::string_view body, const parse_limits& limits, std::size_t max_depth = 32);

} // namespace beastchain::json
