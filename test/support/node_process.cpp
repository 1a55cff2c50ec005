// fork/exec of the node binary with its stdout on a pipe (to read the port) and stderr in a file.
#include "node_process.hpp"

#include <algorithm>
#include <atomic>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace beastchain::test {
namespace {

std::string temp_path(const std::string& stem)
{
    static std::atomic<int> counter{0};
    return "/tmp/beastchain-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
           stem;
}

std::string slurp(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int spawn(
    const std::vector<std::string>& args,
    int stdout_fd,
    int stderr_fd,
    std::uint64_t file_size_limit = 0,
    std::vector<std::string> env = {},
    std::string bin = node_binary()
)
{
    std::vector<char*> argv;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const int pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::dup2(stdout_fd, 1);
        ::dup2(stderr_fd, 2);
        for (auto& e : env)
            ::putenv(e.data());
        if (file_size_limit != 0) {
            // Only the soft limit: a test may lift it later (prlimit) to give the disk room again.
            const rlimit lim{file_size_limit, RLIM_INFINITY};
            ::setrlimit(RLIMIT_FSIZE, &lim);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

int wait_exit(int pid, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        const int r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1; // did not exit in time
}

} // namespace

std::string node_binary()
{
    return BEASTCHAIN_NODE_BINARY;
}

/// Keeps parallel tests apart: a free port and, unless told otherwise, a private data directory.
std::string add_isolation(std::vector<std::string>& args)
{
    const auto has = [&](std::string_view flag) {
        return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
            return a == flag || a.starts_with(std::string(flag) + "=");
        });
    };
    if (!has("-p") && !has("--port")) {
        args.push_back("-p");
        args.push_back("0");
    }
    if (has("--data-dir") || has("--in-memory"))
        return {};
    std::string dir = temp_path("data");
    args.push_back("--data-dir");
    args.push_back(dir);
    return dir;
}

temp_data_dir::temp_data_dir()
    : path(temp_path("data"))
{}

temp_data_dir::~temp_data_dir()
{
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

node_process::node_process(std::vector<std::string> args, options opts)
{
    owned_data_dir_ = add_isolation(args);
    const auto startup = opts.startup;
    log_path_ = temp_path("node.log");
    const int err_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int pipefd[2];
    if (err_fd < 0 || ::pipe(pipefd) != 0)
        throw std::runtime_error("cannot set up node process output");
    pid_ = spawn(args, pipefd[1], err_fd, opts.file_size_limit, opts.env);
    ::close(pipefd[1]);
    ::close(err_fd);
    if (!opts.wait_until_serving) {
        const auto flag = std::find_if(args.begin(), args.end(), [](const std::string& a) {
            return a == "-p" || a == "--port";
        });
        if (flag == args.end() || flag + 1 == args.end() || std::stoi(*(flag + 1)) == 0) {
            stop(SIGKILL);
            throw std::runtime_error("wait_until_serving = false needs a fixed -p PORT");
        }
        port_ = static_cast<std::uint16_t>(std::stoi(*(flag + 1)));
    }

    // Read stdout until the " * Running on http://HOST:PORT/" line.
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + startup;
    while (opts.wait_until_serving && std::chrono::steady_clock::now() < deadline) {
        pollfd p{pipefd[0], POLLIN, 0};
        if (::poll(&p, 1, 50) > 0) {
            char buf[512];
            const ssize_t n = ::read(pipefd[0], buf, sizeof buf);
            if (n <= 0)
                break;
            out.append(buf, static_cast<std::size_t>(n));
            const auto at = out.find("Running on http://");
            const auto end = at == std::string::npos ? at : out.find("/ ", at + 18);
            if (end != std::string::npos) {
                const auto colon = out.rfind(':', end);
                port_ = static_cast<std::uint16_t>(std::stoi(out.substr(colon + 1, end - colon - 1)));
                break;
            }
        }
    }
    // Keep the pipe's read end open in a detached drain so later writes never get SIGPIPE.
    std::thread([fd = pipefd[0]] {
        char buf[256];
        while (::read(fd, buf, sizeof buf) > 0) {
        }
        ::close(fd);
    }).detach();
    if (port_ == 0) {
        stop(SIGKILL);
        throw std::runtime_error("node did not start; stdout: " + out + " log: " + slurp(log_path_));
    }
}

node_process::~node_process()
{
    if (!stopped_)
        stop(SIGKILL, std::chrono::seconds(5));
    ::unlink(log_path_.c_str());
    if (!owned_data_dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(owned_data_dir_, ec);
    }
}

int node_process::stop(int sig, std::chrono::milliseconds wait)
{
    if (stopped_)
        return 0;
    stopped_ = true;
    ::kill(pid_, sig);
    return wait_exit(pid_, wait);
}

std::string node_process::log() const
{
    return slurp(log_path_);
}

run_result run_node_to_exit(std::vector<std::string> args, std::chrono::milliseconds timeout)
{
    const std::string dir = add_isolation(args);
    run_result r = run_program(node_binary(), std::move(args), timeout);
    if (!dir.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    return r;
}

run_result
run_program(const std::string& path, std::vector<std::string> args, std::chrono::milliseconds timeout)
{
    const std::string out_path = temp_path("out"), err_path = temp_path("err");
    const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int pid = spawn(args, out_fd, err_fd, 0, {}, path);
    ::close(out_fd);
    ::close(err_fd);
    run_result r;
    r.exit_code = wait_exit(pid, timeout);
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    ::unlink(out_path.c_str());
    ::unlink(err_path.c_str());
    return r;
}

} // namespace beastchain::test
