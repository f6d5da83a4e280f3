#include "core/sha1.h"

#include <gtest/gtest.h>

#include <string>

namespace pct {
namespace {

std::string pattern(size_t length) {
    std::string text;
    for (size_t i = 0; i < length; ++i) text += static_cast<char>((i * 7 + 3) % 256);
    return text;
}

TEST(Sha1Test, StandardVectors) {
    EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(sha1_hex(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

// Lengths around the block and padding boundaries (expected values from Python's hashlib).
TEST(Sha1Test, PaddingBoundaries) {
    const std::pair<size_t, const char*> cases[] = {
        {1, "9842926af7ca0a8cca12604f945414f07b01e13d"},   {55, "ddf57317ef34bfee3b6df83d359098930eb278bc"},
        {56, "a0d492bb0fc889d0eca3bc137066ab6f4f74f369"},  {57, "11a02dcf95859677a62e75024067c22b165d890f"},
        {63, "c55856749bef509bdfe6bfebfc7bf4e793e82132"},  {64, "bede92be29c3874e1b54ddc77988d606fc857a8e"},
        {65, "b05a80522b053d6dc7e0a517d0e70212c7dad11f"},  {119, "504e27376a6e0f0dba8295b85cb25dc4dfa17d23"},
        {120, "82134b02fb3f702491be9bed581eeab59334acb2"}, {127, "34d5e582029e9b9b85b2febe31da3db7cdabaaea"},
        {128, "a09133e6730ffe899efb70204cb5646cd5dc24ee"}, {1000, "4231a8a50a10fa9758db8ec71fdef855b751048a"},
    };
    for (const auto& [length, digest] : cases) EXPECT_EQ(sha1_hex(pattern(length)), digest) << length << " bytes";
}

}  // namespace
}  // namespace pct
