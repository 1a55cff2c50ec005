// Minimal leveled logging to stderr: one line per event, safe to call from any thread.
#pragma once

#include <string_view>

namespace beastchain::log {

enum class level
{
    debug = 0,
    info = 1,
    warning = 2,
    error = 3
};

/// Lines below this level are dropped. Default: info.
void set_threshold(level l) noexcept;
bool enabled(level l) noexcept;

/// Writes one line. Under journald (JOURNAL_STREAM set) it carries a `<N>` priority prefix and no
/// timestamp, since journald adds its own; otherwise an ISO-8601 UTC timestamp and the level name.
void write(level l, std::string_view message);

inline void debug(std::string_view m)
{
    write(level::debug, m);
}
inline void info(std::string_view m)
{
    write(level::info, m);
}
inline void warning(std::string_view m)
{
    write(level::warning, m);
}
inline void error(std::string_view m)
{
    write(level::error, m);
}

} // namespace beastchain::log
