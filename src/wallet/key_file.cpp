// Key files: {"format": "beastchain-wallet-1", "secret_key": HEX}, mode 0600, checked on every read.
#include <beastchain/wallet/key_file.hpp>

#include <boost/json.hpp>
#include <boost/json/static_resource.hpp>
#include <openssl/crypto.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace beastchain::wallet {

namespace {

constexpr std::string_view format = "beastchain-wallet-1";
constexpr std::size_t max_key_file_bytes = 4096;

std::string errno_text()
{
    return std::strerror(errno);
}

/// Closes the descriptor however the scope ends.
struct fd_guard
{
    int fd;
    ~fd_guard()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

void sync_directory(const std::filesystem::path& dir)
{
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    (void)::fsync(fd);
    ::close(fd);
}

} // namespace

std::filesystem::path default_key_file()
{
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0')
        throw wallet_error("HOME is not set: give the key file with --wallet FILE");
    return std::filesystem::path(home) / ".beastchain" / "wallet.json";
}

core::secret_key create_key_file(const std::filesystem::path& path)
{
    const auto parent = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    if (!std::filesystem::exists(parent)) {
        std::error_code ec;
        std::filesystem::create_directories(parent, ec);
        if (ec)
            throw wallet_error("cannot create " + parent.string() + ": " + ec.message());
        std::filesystem::permissions(parent, std::filesystem::perms::owner_all, ec);
    }
    if (std::filesystem::exists(std::filesystem::symlink_status(path)))
        throw wallet_error(path.string() + " already exists: a wallet is never overwritten");
    const core::secret_key key = core::secret_key::generate();

    // The document is built in a buffer that is wiped afterwards, never in a heap string.
    std::array<char, 128> text{};
    static constexpr std::string_view head = R"({"format":"beastchain-wallet-1","secret_key":")";
    static constexpr std::string_view tail = "\"}\n";
    static constexpr char digits[] = "0123456789abcdef";
    std::size_t n = 0;
    for (char c : head)
        text[n++] = c;
    for (std::uint8_t b : key.bytes()) {
        text[n++] = digits[b >> 4];
        text[n++] = digits[b & 0x0f];
    }
    for (char c : tail)
        text[n++] = c;

    // Written whole to a temporary file, then linked into place: `path` either holds the whole
    // key or does not exist, and link() fails rather than replace a file that appeared meanwhile.
    const std::filesystem::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        OPENSSL_cleanse(text.data(), text.size());
        throw wallet_error("cannot create " + tmp.string() + ": " + errno_text());
    }
    std::string why;
    {
        fd_guard guard{fd};
        const ssize_t wrote = ::write(fd, text.data(), n);
        if (wrote < 0)
            why = errno_text();
        else if (static_cast<std::size_t>(wrote) != n)
            why = "short write";
        else if (::fsync(fd) != 0)
            why = errno_text();
    }
    OPENSSL_cleanse(text.data(), text.size());
    if (why.empty() && ::link(tmp.c_str(), path.c_str()) != 0)
        why = errno == EEXIST ? "exists" : errno_text();
    ::unlink(tmp.c_str());
    if (why == "exists")
        throw wallet_error(path.string() + " already exists: a wallet is never overwritten");
    if (!why.empty())
        throw wallet_error("cannot write " + path.string() + ": " + why);
    sync_directory(parent);
    return key;
}

core::secret_key read_key_file(const std::filesystem::path& path)
{
    // O_NONBLOCK: a FIFO at the path must not hang us before the regular-file check.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        throw wallet_error(
            errno == ENOENT ? "no wallet at " + path.string() + " (create one with `beastchain-wallet new`)"
                            : "cannot open " + path.string() + ": " + errno_text()
        );
    fd_guard guard{fd};
    struct stat st
    {};
    if (::fstat(fd, &st) != 0)
        throw wallet_error("cannot stat " + path.string() + ": " + errno_text());
    if (!S_ISREG(st.st_mode))
        throw wallet_error(path.string() + " is not a regular file");
    if (st.st_uid != ::geteuid())
        throw wallet_error(path.string() + " belongs to another user: a key must be its owner's alone");
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        throw wallet_error(
            "permissions " + std::string(mode) + " for " + path.string() +
            " are too open: a key others can read is refused (chmod 600 " + path.string() + ")"
        );
    }
    // The file's text and everything the parser builds from it live in stack buffers that are
    // wiped before this returns.
    std::array<char, max_key_file_bytes + 1> text{};
    std::array<unsigned char, 4 * max_key_file_bytes> arena{};
    std::array<std::uint8_t, 32> bytes{};
    const auto wipe = [&] {
        OPENSSL_cleanse(text.data(), text.size());
        OPENSSL_cleanse(arena.data(), arena.size());
        OPENSSL_cleanse(bytes.data(), bytes.size());
    };
    const ssize_t n = ::read(fd, text.data(), text.size());
    bool ok = n > 0 && static_cast<std::size_t>(n) <= max_key_file_bytes;
    bool valid_key = false;
    std::optional<core::secret_key> key;
    if (ok) {
        boost::json::static_resource mr(arena.data(), arena.size());
        boost::system::error_code ec;
        const boost::json::value jv =
            boost::json::parse(std::string_view(text.data(), static_cast<std::size_t>(n)), ec, &mr);
        const boost::json::object* o = ec ? nullptr : jv.if_object();
        const boost::json::value* f = o ? o->if_contains("format") : nullptr;
        const boost::json::value* k = o ? o->if_contains("secret_key") : nullptr;
        ok = f && f->is_string() && f->get_string() == format && k && k->is_string();
        if (ok) {
            const auto& hex = k->get_string();
            valid_key = core::bytes_from_hex(std::string_view(hex.data(), hex.size()), bytes);
            key = valid_key ? core::secret_key::from_bytes(bytes) : std::nullopt;
        }
    }
    wipe();
    if (!ok)
        throw wallet_error(path.string() + " is not a beastchain wallet key file");
    if (!key)
        throw wallet_error(path.string() + " holds no valid secret key");
    return *key;
}

core::secret_key open_key_file(const std::filesystem::path& path)
{
    std::error_code ec;
    if (std::filesystem::symlink_status(path, ec).type() == std::filesystem::file_type::not_found)
        return create_key_file(path);
    return read_key_file(path);
}

} // namespace beastchain::wallet
