// stderr logger: a mutex keeps concurrent lines whole; journald gets syslog priority prefixes.
#include <beastchain/log.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>

namespace beastchain::log {
namespace {

std::atomic<int> threshold{static_cast<int>(level::info)};
std::mutex output_mutex;

bool under_journald()
{
    static const bool journald = std::getenv("JOURNAL_STREAM") != nullptr;
    return journald;
}

} // namespace

void set_threshold(level l) noexcept
{
    threshold.store(static_cast<int>(l), std::memory_order_relaxed);
}

bool enabled(level l) noexcept
{
    return static_cast<int>(l) >= threshold.load(std::memory_order_relaxed);
}

void write(level l, std::string_view message)
{
    if (!enabled(l))
        return;
    static constexpr const char* names[] = {"debug", "info", "warning", "error"};
    static constexpr int priorities[] = {7, 6, 4, 3}; // syslog: debug, info, warning, err
    const int i = static_cast<int>(l);
    std::string line;
    line.reserve(message.size() + 40);
    if (under_journald()) {
        line += '<';
        line += std::to_string(priorities[i]);
        line += '>';
    } else {
        const auto now = std::chrono::system_clock::now();
        const std::time_t t = std::chrono::system_clock::to_time_t(now);
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[64];
        std::snprintf(
            buf,
            sizeof buf,
            "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ",
            tm.tm_year + 1900,
            tm.tm_mon + 1,
            tm.tm_mday,
            tm.tm_hour,
            tm.tm_min,
            tm.tm_sec,
            static_cast<int>(ms)
        );
        line += buf;
        line += names[i];
        line += ' ';
    }
    line.append(message);
    line += '\n';
    const std::lock_guard lock(output_mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace beastchain::log
