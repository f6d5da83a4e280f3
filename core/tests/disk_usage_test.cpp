#include "core/disk_usage.h"

#include <gtest/gtest.h>

#include "core/config_file.h"

namespace pct {
namespace {

TEST(DiskUsage, SizesInBinaryUnitsWithOneDecimal) {
    EXPECT_EQ(format_usage_size(0), "0");
    EXPECT_EQ(format_usage_size(1023), "1023");
    EXPECT_EQ(format_usage_size(1024), "1.0K");
    EXPECT_EQ(format_usage_size(1536), "1.5K");
    EXPECT_EQ(format_usage_size(uint64_t{8} << 30), "8.0G");
    EXPECT_EQ(format_usage_size(uint64_t{3} << 50), "3072.0T");  // T is the largest unit
}

TEST(DiskUsage, MountPointsInRootfsThenIndexOrder) {
    ContainerConfig config =
        parse_config("mp10: local:100/vm-100-disk-2.raw,mp=/b,size=1G\nmp2: /srv,mp=/srv\nrootfs: local:100/vm-100-disk-0.raw,size=8G\n", 100)
            .config;
    auto entries = container_mount_points(config.main);
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0].key, "rootfs");
    EXPECT_EQ(entries[0].path, "/");
    EXPECT_EQ(entries[1].key, "mp2");
    EXPECT_EQ(entries[1].volume, "/srv");
    EXPECT_EQ(entries[2].key, "mp10");
    EXPECT_EQ(entries[2].path, "/b");
}

TEST(DiskUsage, TableAlignsColumns) {
    std::vector<DiskUsageRow> rows{
        {.mount = {"rootfs", "local:100/vm-100-disk-0.raw", "/"},
         .total_bytes = uint64_t{8} << 30,
         .used_bytes = uint64_t{1} << 30,
         .available_bytes = uint64_t{7} << 30},
        {.mount = {"mp0", "/srv", "/data"}, .total_bytes = 2048, .used_bytes = 512, .available_bytes = 1536},
    };
    EXPECT_EQ(format_disk_usage_table(rows),
              "MP     Volume                      Size Used Avail Use% Path\n"
              "rootfs local:100/vm-100-disk-0.raw 8.0G 1.0G  7.0G 12.5 /\n"
              "mp0    /srv                        2.0K  512  1.5K 25.0 /data\n");
}

}  // namespace
}  // namespace pct
