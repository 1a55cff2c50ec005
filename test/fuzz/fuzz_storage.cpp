// libFuzzer target: a data directory log image through the recovery scan and record decoding.
#include <beastchain/storage/assemble.hpp>
#include <beastchain/storage/log_format.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace beastchain::storage;
    const std::string_view image(reinterpret_cast<const char*>(data), size);
    const scan_result scan = scan_log(image);
    // Decoding and switch assembly, then re-encoding what came out, must not crash either.
    for (const auto& r : assemble_records(scan).records)
        (void)encode_frames(r);
    // The payload decoders alone, on raw bytes, for every record type.
    if (size > 0)
        for (std::uint8_t t = 1; t <= 9; ++t)
            (void)decode_payload(static_cast<record_type>(t), image.substr(1));
    return 0;
}
