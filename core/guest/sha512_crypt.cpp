#include "core/guest/sha512_crypt.h"

#include <array>
#include <cstdint>
#include <vector>

namespace pct::guest {

namespace {

constexpr std::array<uint64_t, 80> kRoundConstants = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
    0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
    0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
    0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
    0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
    0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
    0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
    0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
    0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
    0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
};

constexpr size_t kDigestBytes = 64;
constexpr size_t kMaxSaltLength = 16;
constexpr int kRounds = 5000;

uint64_t rotate_right(uint64_t value, int bits) { return (value >> bits) | (value << (64 - bits)); }

void compress(std::array<uint64_t, 8>& state, const uint8_t* block) {
    std::array<uint64_t, 80> w{};
    for (size_t i = 0; i < 16; ++i) {
        for (size_t byte = 0; byte < 8; ++byte) w[i] = (w[i] << 8) | block[i * 8 + byte];
    }
    for (size_t i = 16; i < 80; ++i) {
        uint64_t s0 = rotate_right(w[i - 15], 1) ^ rotate_right(w[i - 15], 8) ^ (w[i - 15] >> 7);
        uint64_t s1 = rotate_right(w[i - 2], 19) ^ rotate_right(w[i - 2], 61) ^ (w[i - 2] >> 6);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    auto [a, b, c, d, e, f, g, h] = state;
    for (size_t i = 0; i < 80; ++i) {
        uint64_t t1 = h + (rotate_right(e, 14) ^ rotate_right(e, 18) ^ rotate_right(e, 41)) + ((e & f) ^ (~e & g)) +
                      kRoundConstants[i] + w[i];
        uint64_t t2 = (rotate_right(a, 28) ^ rotate_right(a, 34) ^ rotate_right(a, 39)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    std::array<uint64_t, 8> added = {a, b, c, d, e, f, g, h};
    for (size_t i = 0; i < 8; ++i) state[i] += added[i];
}

std::string digest_string(const std::array<uint8_t, 64>& digest, size_t length = kDigestBytes) {
    return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

// `pattern` repeated to `length` bytes.
std::string repeated(const std::string& pattern, size_t length) {
    std::string result;
    while (result.size() + pattern.size() <= length) result += pattern;
    return result + pattern.substr(0, length - result.size());
}

std::array<uint8_t, 64> sha512(std::string_view data) {
    std::array<uint64_t, 8> state = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
                                     0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
    std::vector<uint8_t> message(data.begin(), data.end());
    uint64_t bit_length = static_cast<uint64_t>(data.size()) * 8;
    message.push_back(0x80);
    while (message.size() % 128 != 112) message.push_back(0);
    for (int i = 0; i < 8; ++i) message.push_back(0);  // high 64 bits of the 128-bit length
    for (int shift = 56; shift >= 0; shift -= 8) message.push_back(static_cast<uint8_t>(bit_length >> shift));
    for (size_t offset = 0; offset < message.size(); offset += 128) compress(state, message.data() + offset);

    std::array<uint8_t, 64> digest{};
    for (size_t i = 0; i < 8; ++i) {
        for (size_t byte = 0; byte < 8; ++byte) digest[i * 8 + byte] = static_cast<uint8_t>(state[i] >> (56 - 8 * byte));
    }
    return digest;
}

}  // namespace

std::string sha512_crypt(std::string_view password, std::string_view salt_text) {
    const std::string key(password);
    const std::string salt(salt_text.substr(0, kMaxSaltLength));

    std::string alternate = digest_string(sha512(key + salt + key));
    std::string input = key + salt + repeated(alternate, key.size());
    for (size_t length = key.size(); length > 0; length >>= 1) input += (length & 1) ? alternate : key;
    std::string a = digest_string(sha512(input));

    std::string key_repeat;
    for (size_t i = 0; i < key.size(); ++i) key_repeat += key;
    std::string p = repeated(digest_string(sha512(key_repeat)), key.size());

    std::string salt_repeat;
    for (size_t i = 0; i < 16u + static_cast<uint8_t>(a[0]); ++i) salt_repeat += salt;
    std::string s = repeated(digest_string(sha512(salt_repeat)), salt.size());

    for (int round = 0; round < kRounds; ++round) {
        std::string c = (round & 1) ? p : a;
        if (round % 3 != 0) c += s;
        if (round % 7 != 0) c += p;
        c += (round & 1) ? a : p;
        a = digest_string(sha512(c));
    }

    static const char* alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    static const int order[21][3] = {{0, 21, 42},  {22, 43, 1},  {44, 2, 23},  {3, 24, 45},  {25, 46, 4},
                                     {47, 5, 26},  {6, 27, 48},  {28, 49, 7},  {50, 8, 29},  {9, 30, 51},
                                     {31, 52, 10}, {53, 11, 32}, {12, 33, 54}, {34, 55, 13}, {56, 14, 35},
                                     {15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60}, {40, 61, 19},
                                     {62, 20, 41}};
    auto byte = [&](int index) { return static_cast<uint32_t>(static_cast<uint8_t>(a[static_cast<size_t>(index)])); };
    std::string encoded;
    auto encode = [&](uint32_t word, int characters) {
        for (int i = 0; i < characters; ++i, word >>= 6) encoded += alphabet[word & 0x3f];
    };
    for (const auto& group : order) encode((byte(group[0]) << 16) | (byte(group[1]) << 8) | byte(group[2]), 4);
    encode(byte(63), 2);
    return "$6$" + salt + "$" + encoded;
}

}  // namespace pct::guest
