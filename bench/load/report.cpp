// Formats results: fixed-width table and a JSON document with the same numbers.
#include "report.hpp"

#include <boost/json.hpp>

#include <cstdio>

namespace beastchain::bench {

namespace {

constexpr double percentiles[] = {50, 90, 99, 99.9};

double ms(std::uint64_t ns)
{
    return static_cast<double>(ns) / 1e6;
}

std::string fmt_ms(std::uint64_t ns)
{
    char buf[32];
    const double v = ms(ns);
    std::snprintf(buf, sizeof buf, v < 10 ? "%.3f ms" : v < 1000 ? "%.1f ms" : "%.0f ms", v);
    return buf;
}

std::string grouped(std::uint64_t n)
{
    std::string s = std::to_string(n);
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
        s.insert(static_cast<std::size_t>(i), ",");
    return s;
}

double rate_of(std::uint64_t n, double seconds)
{
    return seconds > 0 ? static_cast<double>(n) / seconds : 0;
}

} // namespace

std::string format_table(const options& opts, const load_result& load, const std::optional<verify_result>& v)
{
    std::string out;
    char line[512];
    std::snprintf(
        line,
        sizeof line,
        "scenario %s, %u connections over %zu target(s), %s, %.1f s measured",
        std::string(to_string(opts.what)).c_str(),
        opts.connections,
        opts.targets.size(),
        opts.rate > 0
            ? ("open loop at " + std::to_string(static_cast<long long>(opts.rate)) + " req/s").c_str()
            : "closed loop",
        load.measured_seconds
    );
    out += line;
    if (opts.warmup_seconds > 0)
        out += " (after " + std::to_string(load.warmup_requests) + " warm-up requests)";
    out += "\n\n";
    std::snprintf(
        line,
        sizeof line,
        "%-26s %11s %11s %11s %10s %10s %10s %10s %10s %8s\n",
        "route",
        "requests",
        "req/s",
        "ok/s",
        "p50",
        "p90",
        "p99",
        "p99.9",
        "max",
        "errors"
    );
    out += line;
    for (const auto& r : load.routes) {
        std::snprintf(
            line,
            sizeof line,
            "%-26s %11s %11.1f %11.1f %10s %10s %10s %10s %10s %8s\n",
            r.name.c_str(),
            grouped(r.requests()).c_str(),
            rate_of(r.requests(), load.measured_seconds),
            rate_of(r.ok, load.measured_seconds),
            fmt_ms(r.latency.percentile(50)).c_str(),
            fmt_ms(r.latency.percentile(90)).c_str(),
            fmt_ms(r.latency.percentile(99)).c_str(),
            fmt_ms(r.latency.percentile(99.9)).c_str(),
            fmt_ms(r.latency.max()).c_str(),
            grouped(r.errors()).c_str()
        );
        out += line;
    }
    for (const auto& r : load.routes) {
        if (r.errors() == 0)
            continue;
        out += "\nerrors on " + r.name + ":";
        for (const auto& [status, n] : r.status_errors)
            out += " HTTP " + std::to_string(status) + " x " + grouped(n) + ",";
        out += " timeout x " + grouped(r.timeouts) + ", connect x " + grouped(r.connect_failures) +
               ", io x " + grouped(r.io_errors);
    }
    if (opts.rate > 0)
        out += "\n\nlatency counts from each request's scheduled start (coordinated omission corrected)";
    if (v) {
        out += "\n\nverify: ";
        if (!v->completed)
            out += "FAILED to complete: " + v->error;
        else {
            std::snprintf(
                line,
                sizeof line,
                "%s acknowledged: %s exactly once, %s missing, %s duplicated (mined %s blocks; %.1f s)%s",
                grouped(v->acknowledged).c_str(),
                grouped(v->exactly_once).c_str(),
                grouped(v->missing).c_str(),
                grouped(v->duplicated).c_str(),
                grouped(v->blocks_mined).c_str(),
                v->seconds,
                v->passed() ? "" : "  FAILED: transactions missing or duplicated"
            );
            out += line;
        }
        for (const auto& e : v->examples)
            out += "\n  " + e;
        if (load.unidentified_acks > 0)
            out += "\n  " + grouped(load.unidentified_acks) +
                   " acknowledgements carried no transaction_id and were not checked";
    }
    out += "\n";
    return out;
}

std::string format_json(const options& opts, const load_result& load, const std::optional<verify_result>& v)
{
    namespace bj = boost::json;
    bj::object doc;
    bj::array targets;
    for (const auto& t : opts.targets)
        targets.emplace_back(t.normalized);
    doc["targets"] = std::move(targets);
    doc["scenario"] = to_string(opts.what);
    doc["connections"] = opts.connections;
    doc["mode"] = opts.rate > 0 ? "open" : "closed";
    doc["rate"] = opts.rate;
    doc["measured_seconds"] = load.measured_seconds;
    doc["warmup_requests"] = load.warmup_requests;
    bj::object routes;
    for (const auto& r : load.routes) {
        bj::object latency;
        for (double p : percentiles)
            latency[p == 99.9 ? "p99.9" : "p" + std::to_string(static_cast<int>(p))] =
                ms(r.latency.percentile(p));
        latency["max"] = ms(r.latency.max());
        latency["mean"] = r.latency.mean() / 1e6;
        bj::object statuses;
        for (const auto& [status, n] : r.status_errors)
            statuses[std::to_string(status)] = n;
        routes[r.name] = bj::object{
            {"requests", r.requests()},
            {"ok", r.ok},
            {"requests_per_second", rate_of(r.requests(), load.measured_seconds)},
            {"ok_per_second", rate_of(r.ok, load.measured_seconds)},
            {"latency_ms", std::move(latency)},
            {"errors",
             bj::object{
                 {"total", r.errors()},
                 {"status", std::move(statuses)},
                 {"timeout", r.timeouts},
                 {"connect", r.connect_failures},
                 {"io", r.io_errors}}}};
    }
    doc["routes"] = std::move(routes);
    if (v)
        doc["verify"] = bj::object{
            {"completed", v->completed},
            {"error", v->error},
            {"acknowledged", v->acknowledged},
            {"exactly_once", v->exactly_once},
            {"missing", v->missing},
            {"duplicated", v->duplicated},
            {"unidentified", load.unidentified_acks},
            {"blocks_mined", v->blocks_mined},
            {"seconds", v->seconds},
            {"passed", v->passed()}};
    return bj::serialize(doc) + "\n";
}

} // namespace beastchain::bench
