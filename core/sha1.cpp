#include "core/sha1.h"

#include <array>
#include <cstdint>

namespace pct {

namespace {

uint32_t rotate_left(uint32_t value, int bits) { return (value << bits) | (value >> (32 - bits)); }

void compress(std::array<uint32_t, 5>& state, const uint8_t* block) {
    std::array<uint32_t, 80> w{};
    for (size_t i = 0; i < 16; ++i)
        w[i] = (uint32_t{block[i * 4]} << 24) | (uint32_t{block[i * 4 + 1]} << 16) | (uint32_t{block[i * 4 + 2]} << 8) |
               uint32_t{block[i * 4 + 3]};
    for (size_t i = 16; i < 80; ++i) w[i] = rotate_left(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    auto [a, b, c, d, e] = state;
    for (size_t i = 0; i < 80; ++i) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        uint32_t t = rotate_left(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rotate_left(b, 30);
        b = a;
        a = t;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
}

}  // namespace

std::string sha1_hex(std::string_view data) {
    std::array<uint32_t, 5> state = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
    size_t full = data.size() / 64 * 64;
    for (size_t offset = 0; offset < full; offset += 64) compress(state, bytes + offset);
    // The rest, 0x80, zeros and the bit length (big-endian) fill one or two blocks.
    std::array<uint8_t, 128> tail{};
    size_t rest = data.size() - full;
    for (size_t i = 0; i < rest; ++i) tail[i] = bytes[full + i];
    tail[rest] = 0x80;
    size_t tail_size = rest < 56 ? 64 : 128;
    uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
    for (size_t i = 0; i < 8; ++i) tail[tail_size - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
    for (size_t offset = 0; offset < tail_size; offset += 64) compress(state, tail.data() + offset);
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(40);
    for (uint32_t word : state)
        for (int shift = 28; shift >= 0; shift -= 4) out += hex[(word >> shift) & 15];
    return out;
}

}  // namespace pct
