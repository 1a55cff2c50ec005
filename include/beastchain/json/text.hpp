// JSON text as people read it: numbers in plain decimal (1795546549.716, not 1.795546549716E9).
#pragma once

#include <boost/json/fwd.hpp>

#include <string>

namespace beastchain::json {

/// Serializes `v` like boost::json::serialize, except that a double prints as the shortest plain
/// decimal that reads back as the same double, with ".0" when it is whole (as Python prints a
/// float, so the tutorial's clients still see a float). Non-finite doubles print as null.
std::string to_text(const boost::json::value& v);
std::string to_text(const boost::json::object& o);
/// Appends the same text to `out`.
void append_text(std::string& out, const boost::json::value& v);
void append_text(std::string& out, const boost::json::object& o);

} // namespace beastchain::json
