// Reading untrusted JSON objects field by field: typed getters that name the first failing field.
#pragma once

#include <beastchain/json/parse.hpp>

#include <boost/json.hpp>

#include <limits>
#include <string>
#include <string_view>

namespace beastchain::json::detail {

namespace bj = boost::json;

inline std::string join(std::string_view path, std::string_view key)
{
    return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

inline decode_error error(std::string field, std::string detail)
{
    return {std::move(field), std::move(detail)};
}

/// Reads typed fields out of one JSON object, remembering the first failure.
class object_reader
{
public:
    object_reader(const bj::value& jv, std::string_view path)
        : path_(path)
    {
        if (const bj::object* o = jv.if_object())
            obj_ = o;
        else
            err_ = error(path.empty() ? "body" : std::string(path), "must be a JSON object");
    }

    bool ok() const { return !err_; }
    decode_error take_error() { return std::move(*err_); }

    const bj::value* field(std::string_view key)
    {
        if (err_)
            return nullptr;
        const bj::value* v = obj_->if_contains(key);
        if (v == nullptr)
            err_ = error(join(path_, key), "is required");
        return v;
    }

    /// Whether the object has `key` (for the few optional fields).
    bool has(std::string_view key) const { return !err_ && obj_->contains(key); }

    std::string string(std::string_view key)
    {
        const bj::value* v = field(key);
        if (v == nullptr)
            return {};
        if (!v->is_string()) {
            err_ = error(join(path_, key), "must be a string");
            return {};
        }
        return std::string(v->get_string());
    }

    /// A non-negative integer. JSON numbers with a fraction or exponent (3.5, 1e3, 2^64 which
    /// parses as a double) are refused, and so are strings, booleans and null.
    std::uint64_t unsigned_integer(std::string_view key, std::uint64_t min, std::uint64_t max)
    {
        const bj::value* v = field(key);
        if (v == nullptr)
            return 0;
        std::uint64_t out = 0;
        if (v->is_uint64())
            out = v->get_uint64();
        else if (v->is_int64() && v->get_int64() >= 0)
            out = static_cast<std::uint64_t>(v->get_int64());
        else {
            err_ = error(
                join(path_, key),
                "must be an integer from " + std::to_string(min) + " to " + std::to_string(max)
            );
            return 0;
        }
        if (out < min || out > max)
            err_ = error(
                join(path_, key),
                "must be an integer from " + std::to_string(min) + " to " + std::to_string(max)
            );
        return out;
    }

    double number(std::string_view key)
    {
        const bj::value* v = field(key);
        if (v == nullptr)
            return 0;
        if (v->is_double())
            return v->get_double();
        if (v->is_int64())
            return static_cast<double>(v->get_int64());
        if (v->is_uint64())
            return static_cast<double>(v->get_uint64());
        err_ = error(join(path_, key), "must be a number");
        return 0;
    }

    void fail(std::string_view key, std::string detail) { err_ = error(join(path_, key), std::move(detail)); }

    std::string path(std::string_view key) const { return join(path_, key); }

private:
    std::string path_;
    const bj::object* obj_ = nullptr;
    std::optional<decode_error> err_;
};

} // namespace beastchain::json::detail
