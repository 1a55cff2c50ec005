// Appending integers and length-prefixed strings little-endian: the layout of every canonical
// byte string core hashes (transactions, chain specs, signing hashes).
#pragma once

#include <boost/endian/conversion.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace beastchain::core::detail {

template <class Int> void put_le(std::string& out, Int v)
{
    boost::endian::native_to_little_inplace(v);
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

/// A u32 length, then the bytes.
inline void put_string(std::string& out, std::string_view s)
{
    put_le(out, static_cast<std::uint32_t>(s.size()));
    out.append(s);
}

} // namespace beastchain::core::detail
