// --signed set-up over the node's own API: mine to the funder, pay the senders, pre-sign.
#include "signed_setup.hpp"

#include <beastchain/core/address.hpp>
#include <beastchain/core/signing.hpp>
#include <beastchain/json/conversions.hpp>
#include <beastchain/net/peer_client.hpp>
#include <beastchain/wallet/key_file.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <thread>

namespace beastchain::bench {

namespace bj = boost::json;

namespace {

struct client
{
    const options& opts;
    net::peer_limits limits;

    explicit client(const options& o)
        : opts(o)
    {
        limits.tls = o.tls;
        limits.connect_timeout = std::chrono::seconds(5);
        limits.response_timeout = std::chrono::seconds(300); // /mine at a high difficulty
        limits.max_response_bytes = 16 << 20;
    }

    /// One request, its reply parsed; throws unless the status is `expected`.
    bj::value call(
        const net::peer_url& to,
        net::http::verb verb,
        const std::string& target,
        std::string body,
        unsigned expected
    )
    {
        const net::peer_result r = net::send_peer_request_blocking(to, verb, target, std::move(body), limits);
        if (!r.reply)
            throw std::runtime_error(to.normalized + target + ": " + r.error);
        if (r.reply->status != expected)
            throw std::runtime_error(
                to.normalized + target + " answered " + std::to_string(r.reply->status) + ": " + r.reply->body
            );
        return bj::parse(r.reply->body);
    }
    bj::value get(const net::peer_url& to, const std::string& target)
    {
        return call(to, net::http::verb::get, target, {}, 200);
    }
    bj::object account(const net::peer_url& to, const std::string& address)
    {
        return get(to, "/accounts/" + address).as_object();
    }
};

std::uint64_t number(const bj::value& v)
{
    return v.to_number<std::uint64_t>();
}

} // namespace

std::shared_ptr<const signed_bodies> prepare_signed(const options& opts, std::size_t per_connection)
{
    client c(opts);
    const net::peer_url& home = opts.targets.front();
    const bj::value st = c.get(home, "/status");
    if (st.at("transactions").as_string() != "signed")
        throw std::runtime_error("--signed: " + home.normalized + " runs an open chain");
    const auto chain_id = core::hash_from_hex(std::string(st.at("chain_id").as_string()));
    if (!chain_id)
        throw std::runtime_error("--signed: /status has no chain_id");
    const core::secret_key funder = wallet::read_key_file(opts.signed_funder);
    const std::string funder_address = core::address_of(core::public_key_of(funder));

    const std::size_t senders = opts.connections;
    const std::uint64_t budget = 2 * per_connection; // amount 1 and fee 1 each
    const std::uint64_t fee = 1;
    const std::uint64_t needed = senders * (budget + fee);
    for (int mined = 0; number(c.account(home, funder_address).at("pending").at("available")) < needed;
         ++mined) {
        if (mined == 10'000)
            throw std::runtime_error(
                "--signed: 10,000 blocks mined and the funder is still short: start the node with "
                "--mining-address " +
                funder_address
            );
        c.get(home, "/mine");
    }

    std::vector<core::secret_key> keys;
    keys.reserve(senders);
    std::uint64_t nonce = number(c.account(home, funder_address).at("pending").at("next_nonce"));
    for (std::size_t i = 0; i < senders; ++i) {
        keys.push_back(core::secret_key::generate());
        const auto pay = core::make_signed_transaction(
            funder, core::address_of(core::public_key_of(keys.back())), budget, fee, nonce++, *chain_id
        );
        c.call(home, net::http::verb::post, "/create-transaction", bj::serialize(bj::value_from(pay)), 201);
    }
    const std::string last = core::address_of(core::public_key_of(keys.back()));
    for (int tries = 0; number(c.account(home, last).at("balance")) < budget; ++tries) {
        if (tries == 100)
            throw std::runtime_error("--signed: the senders' funding was not mined");
        c.get(home, "/mine");
    }
    for (const auto& t : opts.targets) // the other targets must have the funding block too
        for (int tries = 0; number(c.account(t, last).at("balance")) < budget; ++tries) {
            if (tries == 600)
                throw std::runtime_error("--signed: " + t.normalized + " did not receive the funding block");
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }

    // Signing is the client's cost, not the node's: all of it before the clock starts.
    auto bodies = std::make_shared<signed_bodies>(senders);
    const auto sign_range = [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            auto& out = (*bodies)[i];
            out.reserve(per_connection);
            for (std::uint64_t n = 0; n < per_connection; ++n)
                out.push_back(bj::serialize(
                    bj::value_from(core::make_signed_transaction(keys[i], funder_address, 1, 1, n, *chain_id))
                ));
        }
    };
    const std::size_t lanes = std::max(1u, std::thread::hardware_concurrency());
    {
        std::vector<std::jthread> workers;
        for (std::size_t lane = 0; lane < lanes; ++lane)
            workers.emplace_back(sign_range, senders * lane / lanes, senders * (lane + 1) / lanes);
    }
    std::fprintf(
        stderr, "beastchain-bench: %zu senders funded, %zu transfers each signed\n", senders, per_connection
    );
    return bodies;
}

} // namespace beastchain::bench
