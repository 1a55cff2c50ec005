// beastchain-bench: load, report, and (with --verify) prove no acknowledged transaction was lost.
#include <fstream>
#include <iostream>

#include "driver.hpp"
#include "options.hpp"
#include "report.hpp"
#include "signed_setup.hpp"
#include "verify.hpp"

int main(int argc, char* argv[])
{
    using namespace beastchain::bench;
    const parsed_options parsed = parse_options(argc, argv);
    if (!parsed.opts) {
        (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message;
        return parsed.exit_code;
    }
    options opts = *parsed.opts;
    if (opts.signed_txs) {
        // Each connection gets an even share of --count, and a little more: a sender whose
        // share runs out stops, so the run posts --count in all.
        const std::uint64_t share = (*opts.count + opts.connections - 1) / opts.connections + 1;
        try {
            opts.signed_bodies = prepare_signed(opts, share);
        } catch (const std::exception& e) {
            std::cerr << "beastchain-bench: " << e.what() << "\n";
            return 2;
        }
    }
    const load_result load = run_load(opts);
    std::optional<verify_result> verified;
    if (opts.verify)
        verified = verify(opts, load.acked);

    std::cout << format_table(opts, load, verified) << std::flush;
    if (!opts.json_path.empty()) {
        std::ofstream json(opts.json_path);
        json << format_json(opts, load, verified);
        if (!json) {
            std::cerr << "beastchain-bench: cannot write " << opts.json_path << "\n";
            return 2;
        }
    }
    if (verified && !verified->passed())
        return 1;
    std::uint64_t ok = 0;
    for (const auto& r : load.routes)
        ok += r.ok;
    return ok == 0 ? 3 : 0; // nothing succeeded: the target is down or refuses everything
}
