// Wall-clock milliseconds since the Unix epoch: the unit of block timestamps, bans and back-off.
#pragma once

#include <chrono>
#include <cstdint>

namespace beastchain::node {

inline std::uint64_t now_ms()
{
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch()
    )
                                          .count());
}

} // namespace beastchain::node
