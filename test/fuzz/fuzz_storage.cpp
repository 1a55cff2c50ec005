// libFuzzer target: a data directory log image through the recovery scan and record decoding.
#include <beastchain/storage/log_format.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace beastchain::storage;
    const std::string_view image(reinterpret_cast<const char*>(data), size);
    const scan_result scan = scan_log(image);
    for (const auto& f : scan.frames)
        if (auto r = decode_payload(f.type, f.payload))
            (void)encode_payload(*r); // re-encoding a decoded record must not crash either
    // The payload decoders alone, on raw bytes, for every record type.
    if (size > 0)
        for (std::uint8_t t = 1; t <= 5; ++t)
            (void)decode_payload(static_cast<record_type>(t), image.substr(1));
    return 0;
}
