// Starts a real beastchain-node process on a free loopback port and stops it when destroyed.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace beastchain::test {

/// Path of the node binary under test (set by CMake).
std::string node_binary();

/// Settings for starting a node process.
struct node_process_options
{
    std::chrono::milliseconds startup{10'000};
    /// Soft RLIMIT_FSIZE for the process (simulates a full disk); the hard limit stays unlimited
    /// so a test can free the "disk" again with prlimit.
    std::uint64_t file_size_limit = 0;
    std::vector<std::string> env; ///< extra NAME=VALUE environment entries
    /// False: return as soon as the process is started, without waiting for "Running on" (the
    /// args must name the port), for tests of what a node does while it is still loading.
    bool wait_until_serving = true;
};

/// A running node process. The node is started with `-p 0` (unless args name a port) and the
/// real port is read from its "Running on" line, so parallel tests never collide. Unless the
/// args name `--data-dir` or `--in-memory`, it gets a fresh temporary data directory, removed
/// when this object is destroyed.
class node_process
{
public:
    using options = node_process_options;
    explicit node_process(std::vector<std::string> args = {}, options opts = {});
    ~node_process();
    node_process(const node_process&) = delete;
    node_process& operator=(const node_process&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int pid() const noexcept { return pid_; }

    /// Sends `sig` and waits for exit; returns the exit status (or 128+signal).
    int stop(int sig = 15, std::chrono::milliseconds wait = std::chrono::seconds(10));
    /// The node's stderr so far (its log), for diagnostics.
    std::string log() const;

private:
    int pid_ = -1;
    std::uint16_t port_ = 0;
    std::string log_path_;
    std::string owned_data_dir_;
    bool stopped_ = false;
};

/// A temporary directory for tests that restart a node on the same data.
struct temp_data_dir
{
    temp_data_dir();
    ~temp_data_dir();
    std::string path;
};

/// Runs the node binary to completion (for flag tests); captures stdout and stderr.
struct run_result
{
    int exit_code = -1;
    std::string out;
    std::string err;
};
run_result
run_node_to_exit(std::vector<std::string> args, std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// Runs any program to completion with a timeout; captures stdout and stderr.
run_result run_program(
    const std::string& path,
    std::vector<std::string> args,
    std::chrono::milliseconds timeout = std::chrono::seconds(60)
);

} // namespace beastchain::test
