#include "core/mknod_policy.h"

#include <gtest/gtest.h>

namespace pct {
namespace {

TEST(MknodPolicy, OnlyHarmlessCharacterDevicesAndWhiteouts) {
    for (auto [major, minor] : {std::pair{1u, 3u}, {1u, 5u}, {1u, 7u}, {1u, 8u}, {1u, 9u}, {5u, 0u}, {5u, 1u}, {5u, 2u}, {0u, 0u}})
        EXPECT_TRUE(mknod_allowed(S_IFCHR | 0666, major, minor)) << major << ":" << minor;
    EXPECT_FALSE(mknod_allowed(S_IFCHR, 1, 1));   // /dev/mem
    EXPECT_FALSE(mknod_allowed(S_IFCHR, 1, 11));  // /dev/kmsg
    EXPECT_FALSE(mknod_allowed(S_IFCHR, 10, 229));  // /dev/fuse: only with the fuse feature's device rules
    EXPECT_FALSE(mknod_allowed(S_IFCHR, 0, 1));
    EXPECT_FALSE(mknod_allowed(S_IFCHR, 5, 3));
    EXPECT_FALSE(mknod_allowed(S_IFBLK, 8, 0));   // a disk
    EXPECT_FALSE(mknod_allowed(S_IFBLK, 1, 3));   // block with a "null" number
    EXPECT_FALSE(mknod_allowed(S_IFREG, 0, 0));
}

}  // namespace
}  // namespace pct
