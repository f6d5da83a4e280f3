#include "runtime/file_config_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/sha1.h"

namespace pct {
namespace {

class FileConfigStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/pct-store-test.XXXXXX";
        root_ = ::mkdtemp(pattern);
    }
    void TearDown() override { std::filesystem::remove_all(root_); }

    std::string root_;
};

TEST_F(FileConfigStoreTest, MissingConfigReadsAsNothing) {
    FileConfigStore store{HostPaths(root_)};
    EXPECT_FALSE(store.read(100).has_value());
    EXPECT_TRUE(store.list().empty());
}

TEST_F(FileConfigStoreTest, ReplaceWritesAtomicallyAndComputesDigest) {
    FileConfigStore store{HostPaths(root_)};
    store.replace(100, "memory: 512\n");
    auto stored = store.read(100);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->text, "memory: 512\n");
    EXPECT_EQ(stored->digest, sha1_hex("memory: 512\n"));
    EXPECT_EQ(stored->digest.size(), 40u);
    // No temp file stays behind.
    size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(root_ + "/etc/pve/lxc")) {
        (void)entry;
        ++files;
    }
    EXPECT_EQ(files, 1u);
}

TEST_F(FileConfigStoreTest, Sha1MatchesKnownVector) {
    EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST_F(FileConfigStoreTest, ListsOnlyNumericConfigsInOrder) {
    FileConfigStore store{HostPaths(root_)};
    store.replace(200, "a: 1\n");
    store.replace(101, "a: 1\n");
    std::ofstream(root_ + "/etc/pve/lxc/notes.conf") << "x";
    std::ofstream(root_ + "/etc/pve/lxc/102.conf.bak") << "x";
    EXPECT_EQ(store.list(), (std::vector<int>{101, 200}));
}

TEST_F(FileConfigStoreTest, SecondLockTimesOutWithClearMessage) {
    FileConfigStore first{HostPaths(root_), 100};
    FileConfigStore second{HostPaths(root_), 50};
    auto held = first.lock(100);
    try {
        second.lock(100);
        FAIL() << "second lock succeeded while the first was held";
    } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()).find("pve-config-100.lock' - got timeout"), std::string::npos) << e.what();
    }
    held.reset();
    EXPECT_NO_THROW(second.lock(100));
}

TEST_F(FileConfigStoreTest, UnwritableDirectoryFailsAndKeepsOldConfig) {
    FileConfigStore store{HostPaths(root_)};
    store.replace(100, "memory: 512\n");
    // A regular file where the temp file's directory should be makes every
    // write fail, even for root.
    std::filesystem::rename(root_ + "/etc/pve/lxc", root_ + "/etc/pve/lxc-moved");
    std::ofstream(root_ + "/etc/pve/lxc") << "not a directory";
    EXPECT_THROW(store.replace(100, "memory: 1024\n"), UserError);
    std::filesystem::remove(root_ + "/etc/pve/lxc");
    std::filesystem::rename(root_ + "/etc/pve/lxc-moved", root_ + "/etc/pve/lxc");
    EXPECT_EQ(store.read(100)->text, "memory: 512\n");
}

}  // namespace
}  // namespace pct
