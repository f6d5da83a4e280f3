#include "core/config_views.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace pct {
namespace {

const char* kConfig =
    "#line one\n"
    "#line: two\n"
    "memory: 512\n"
    "swap: 256\n"
    "lxc.idmap: u 0 100000 65536\n"
    "\n"
    "[pve:pending]\n"
    "cores: 2\n"
    "delete: swap\n"
    "memory: 1024\n"
    "\n"
    "[snap]\n"
    "memory: 128\n"
    "snaptime: 5\n";

TEST(ConfigViews, ConfigMergesPendingByDefault) {
    ContainerConfig config = parse_config(kConfig, 100).config;
    EXPECT_EQ(format_config_view_text(make_config_view(config, ConfigViewMode::WithPending, std::nullopt)),
              "cores: 2\ndescription: line one%0Aline%3A two\nmemory: 1024\nlxc.idmap: u 0 100000 65536\n");
    EXPECT_EQ(format_config_view_text(make_config_view(config, ConfigViewMode::Current, std::nullopt)),
              "description: line one%0Aline%3A two\nmemory: 512\nswap: 256\nlxc.idmap: u 0 100000 65536\n");
    EXPECT_EQ(format_config_view_text(make_config_view(config, ConfigViewMode::WithPending, std::string("snap"))),
              "memory: 128\nsnaptime: 5\n");
}

TEST(ConfigViews, SnapshotErrors) {
    ContainerConfig config = parse_config(kConfig, 100).config;
    EXPECT_THROW(make_config_view(config, ConfigViewMode::WithPending, std::string("nope")), UserError);
    try {
        make_config_view(config, ConfigViewMode::Current, std::string("snap"));
        FAIL();
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "cannot use 'snapshot' parameter with 'current'");
    }
}

TEST(ConfigViews, PendingShowsCurrentNewAndDeleted) {
    ContainerConfig config = parse_config(kConfig, 100).config;
    EXPECT_EQ(format_pending_text(make_pending_rows(config)),
              "new cores: 2\n"
              "cur description: line one%0Aline%3A two\n"
              "cur memory: 512\n"
              "new memory: 1024\n"
              "del swap: 256\n");
}

}  // namespace
}  // namespace pct
