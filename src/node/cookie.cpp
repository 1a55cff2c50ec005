// The cookie file: written 0600 through a temporary and rename, removed at a clean stop.
#include <beastchain/node/cookie.hpp>

#include <cerrno>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

namespace beastchain::node {

namespace {

std::string cookie_path(const std::string& dir)
{
    return dir + "/.cookie";
}

[[noreturn]] void fail(const std::string& what)
{
    throw std::system_error(errno, std::generic_category(), what);
}

} // namespace

void write_cookie(const std::string& dir, const std::string& token)
{
    const std::string path = cookie_path(dir);
    const std::string tmp = path + ".tmp";
    ::unlink(tmp.c_str()); // O_EXCL below: never write through a file or link someone left there
    // Created 0600 from the first byte: there is no moment when another user could read it.
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        fail("cannot create " + tmp);
    const std::string text = token + "\n";
    const ssize_t n = ::write(fd, text.data(), text.size());
    int error = n < 0 ? errno : (n != static_cast<ssize_t>(text.size()) ? EIO : 0);
    if (error == 0 && ::fsync(fd) != 0)
        error = errno;
    ::close(fd);
    if (error == 0 && ::rename(tmp.c_str(), path.c_str()) != 0)
        error = errno;
    if (error != 0) {
        ::unlink(tmp.c_str());
        errno = error;
        fail("cannot write " + path);
    }
}

void remove_cookie(const std::string& dir) noexcept
{
    ::unlink(cookie_path(dir).c_str());
}

} // namespace beastchain::node
