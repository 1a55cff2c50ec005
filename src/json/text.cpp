// to_text: Boost.JSON's output with doubles in plain decimal, for replies a person reads with curl.
#include <beastchain/json/text.hpp>

#include <boost/json.hpp>

#include <charconv>
#include <cmath>

namespace beastchain::json {

namespace bj = boost::json;

namespace {

void append_double(std::string& out, double d)
{
    if (!std::isfinite(d)) {
        out += "null"; // JSON has no infinities or NaN
        return;
    }
    // Shortest round-trip in fixed notation. Far outside the range any reply uses (timestamps,
    // rates, seconds), fixed notation would be hundreds of digits: Boost's form is kept there.
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
    if (r.ec != std::errc{}) {
        out += bj::serialize(bj::value(d));
        return;
    }
    const std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
    out += text;
    if (text.find('.') == std::string_view::npos)
        out += ".0";
}

/// A JSON string literal, escaped as Boost.JSON escapes it (so the text is byte-identical), without
/// the temporary string boost::json::serialize would allocate for each key and value.
void append_string(std::string& out, std::string_view s)
{
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xf];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

} // namespace

void append_text(std::string& out, const bj::value& v)
{
    switch (v.kind()) {
    case bj::kind::null:
        out += "null";
        break;
    case bj::kind::bool_:
        out += v.get_bool() ? "true" : "false";
        break;
    case bj::kind::int64:
        out += std::to_string(v.get_int64());
        break;
    case bj::kind::uint64:
        out += std::to_string(v.get_uint64());
        break;
    case bj::kind::double_:
        append_double(out, v.get_double());
        break;
    case bj::kind::string:
        append_string(out, v.get_string());
        break;
    case bj::kind::array: {
        out += '[';
        bool first = true;
        for (const auto& e : v.get_array()) {
            if (!first)
                out += ',';
            first = false;
            append_text(out, e);
        }
        out += ']';
        break;
    }
    case bj::kind::object:
        append_text(out, v.get_object());
        break;
    }
}

void append_text(std::string& out, const bj::object& o)
{
    out += '{';
    bool first = true;
    for (const auto& kv : o) {
        if (!first)
            out += ',';
        first = false;
        append_string(out, kv.key());
        out += ':';
        append_text(out, kv.value());
    }
    out += '}';
}

std::string to_text(const bj::value& v)
{
    std::string out;
    append_text(out, v);
    return out;
}

std::string to_text(const bj::object& o)
{
    std::string out;
    append_text(out, o);
    return out;
}

} // namespace beastchain::json
