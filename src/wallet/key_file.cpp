// Key files: {"format": "beastchain-wallet-1", "secret_key": HEX}, mode 0600, checked on every read.
#include <beastchain/wallet/key_file.hpp>

#include <boost/json.hpp>
#include <openssl/crypto.h>

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
    // O_EXCL: an existing key is never overwritten, not even by a race with another `new`.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        throw wallet_error(
            errno == EEXIST ? path.string() + " already exists: a wallet is never overwritten"
                            : "cannot create " + path.string() + ": " + errno_text()
        );
    fd_guard guard{fd};
    const core::secret_key key = core::secret_key::generate();
    boost::json::object o{{"format", format}, {"secret_key", core::to_hex(key.bytes())}};
    std::string text = boost::json::serialize(o) + "\n";
    const bool ok =
        ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    OPENSSL_cleanse(text.data(), text.size());
    if (!ok) {
        const std::string why = errno_text();
        ::unlink(path.c_str());
        throw wallet_error("cannot write " + path.string() + ": " + why);
    }
    sync_directory(parent);
    return key;
}

core::secret_key read_key_file(const std::filesystem::path& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
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
    std::string text(max_key_file_bytes + 1, '\0');
    const ssize_t n = ::read(fd, text.data(), text.size());
    if (n < 0)
        throw wallet_error("cannot read " + path.string() + ": " + errno_text());
    text.resize(static_cast<std::size_t>(n));
    const auto cleanse = [&text] {
        OPENSSL_cleanse(text.data(), text.size());
    };
    boost::system::error_code ec;
    const boost::json::value jv = boost::json::parse(text, ec);
    cleanse();
    const boost::json::object* o = ec ? nullptr : jv.if_object();
    const boost::json::value* f = o ? o->if_contains("format") : nullptr;
    const boost::json::value* k = o ? o->if_contains("secret_key") : nullptr;
    if (text.size() > max_key_file_bytes || !f || !f->is_string() || f->get_string() != format || !k ||
        !k->is_string())
        throw wallet_error(path.string() + " is not a beastchain wallet key file");
    std::array<std::uint8_t, 32> bytes{};
    const auto& hex = k->get_string();
    const bool parsed = core::bytes_from_hex(std::string_view(hex.data(), hex.size()), bytes);
    auto key = parsed ? core::secret_key::from_bytes(bytes) : std::nullopt;
    OPENSSL_cleanse(bytes.data(), bytes.size());
    if (!key)
        throw wallet_error(path.string() + " holds no valid secret key");
    return *key;
}

} // namespace beastchain::wallet
