// The linear-time shape check that runs over untrusted JSON before Boost.JSON builds a value.
#include <beastchain/json/parse.hpp>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <vector>

namespace beastchain::json {
namespace bj = boost::json;

namespace {

/// SAX handler that enforces parse_limits and finds a key repeated within one object. Boost.JSON's
/// value parser keeps one of two duplicates silently, so "amount" could be read as 1 while a proxy
/// in front of the node validated the other one.
///
/// Every check is linear in the input: counts and sizes are compared as they grow, and keys are
/// checked for repeats once per object by sorting (O(k log k) for k <= max_members keys, with no
/// hash table an attacker could flood).
class shape_checker
{
public:
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    explicit shape_checker(const parse_limits& limits)
        : limits_(limits)
    {}

    /// What was wrong, once a callback refused the input.
    const std::string& problem() const noexcept { return problem_; }

    bool on_document_begin(boost::system::error_code&) { return true; }
    bool on_document_end(boost::system::error_code&) { return true; }
    bool on_object_begin(boost::system::error_code& ec)
    {
        if (!element(ec))
            return false;
        open_.push_back({true, 0, keys_.size()});
        return true;
    }
    bool on_object_end(std::size_t, boost::system::error_code& ec)
    {
        const std::size_t first = open_.back().first_key;
        open_.pop_back();
        sorted_.assign(keys_.begin() + static_cast<std::ptrdiff_t>(first), keys_.end());
        std::sort(sorted_.begin(), sorted_.end());
        const auto twice = std::adjacent_find(sorted_.begin(), sorted_.end());
        if (twice != sorted_.end())
            return refuse(ec, "has the key \"" + std::string(*twice) + "\" twice in one object");
        keys_.resize(first);
        return true;
    }
    bool on_array_begin(boost::system::error_code& ec)
    {
        if (!element(ec))
            return false;
        open_.push_back({false, 0, 0});
        return true;
    }
    bool on_array_end(std::size_t, boost::system::error_code&)
    {
        open_.pop_back();
        return true;
    }
    bool on_key_part(bj::string_view s, std::size_t n, boost::system::error_code& ec)
    {
        if (!string_fits(n, ec))
            return false;
        partial_.append(s.data(), s.size());
        return true;
    }
    bool on_key(bj::string_view s, std::size_t n, boost::system::error_code& ec)
    {
        if (!string_fits(n, ec))
            return false;
        frame& f = open_.back();
        if (++f.count > limits_.max_members)
            return refuse(
                ec, "has an object with more than " + std::to_string(limits_.max_members) + " members"
            );
        partial_.append(s.data(), s.size());
        keys_.push_back(std::move(partial_));
        partial_.clear();
        return true;
    }
    bool on_string_part(bj::string_view, std::size_t n, boost::system::error_code& ec)
    {
        return string_fits(n, ec);
    }
    bool on_string(bj::string_view, std::size_t n, boost::system::error_code& ec)
    {
        return string_fits(n, ec) && element(ec);
    }
    bool on_number_part(bj::string_view, boost::system::error_code&) { return true; }
    bool on_int64(std::int64_t, bj::string_view, boost::system::error_code& ec) { return element(ec); }
    bool on_uint64(std::uint64_t, bj::string_view, boost::system::error_code& ec) { return element(ec); }
    bool on_double(double, bj::string_view, boost::system::error_code& ec) { return element(ec); }
    bool on_bool(bool, boost::system::error_code& ec) { return element(ec); }
    bool on_null(boost::system::error_code& ec) { return element(ec); }
    bool on_comment_part(bj::string_view, boost::system::error_code&) { return true; }
    bool on_comment(bj::string_view, boost::system::error_code&) { return true; }

private:
    struct frame
    {
        bool object;
        std::size_t count;     ///< members or elements so far
        std::size_t first_key; ///< an object's first key in keys_
    };

    bool refuse(boost::system::error_code& ec, std::string why)
    {
        problem_ = std::move(why);
        ec = std::make_error_code(std::errc::invalid_argument);
        return false;
    }

    /// A value starts: counts toward the enclosing array's cap (an object counts keys instead).
    bool element(boost::system::error_code& ec)
    {
        if (open_.empty() || open_.back().object)
            return true;
        if (++open_.back().count > limits_.max_elements)
            return refuse(
                ec, "has an array with more than " + std::to_string(limits_.max_elements) + " elements"
            );
        return true;
    }

    bool string_fits(std::size_t n, boost::system::error_code& ec)
    {
        if (n <= limits_.max_string_bytes)
            return true;
        return refuse(ec, "has a string longer than " + std::to_string(limits_.max_string_bytes) + " bytes");
    }

    parse_limits limits_;
    std::vector<frame> open_;
    std::vector<std::string> keys_; ///< keys of every open object, innermost last
    std::vector<std::string_view> sorted_;
    std::string partial_;
    std::string problem_;
};

} // namespace

decoded<bj::value> parse_body(std::string_view body, const parse_limits& limits, std::size_t max_depth)
{
    bj::parse_options opt;
    opt.max_depth = std::min(limits.max_depth, max_depth);
    boost::system::error_code ec;
    {
        bj::basic_parser<shape_checker> checker(opt, limits);
        checker.write_some(false, body.data(), body.size(), ec);
        if (!checker.handler().problem().empty())
            return decode_error{"body", checker.handler().problem()};
        if (ec)
            return decode_error{"body", "is not valid JSON: " + ec.message()};
    }
    bj::value jv = bj::parse(bj::string_view(body.data(), body.size()), ec, {}, opt);
    if (ec)
        return decode_error{"body", "is not valid JSON: " + ec.message()};
    return jv;
}

} // namespace beastchain::json
