#include "core/container_destroy.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "fakes/fake_storage.h"
#include "fakes/memory_config_store.h"

namespace pct {
namespace {

class ContainerDestroyTest : public ::testing::Test {
protected:
    ContainerDestroyTest() {
        storages_.add("local");
        own_ = storages_.storage("local").add_volume("100/vm-100-disk-0.raw", 1 << 20);
        mp_ = storages_.storage("local").add_volume("100/vm-100-disk-1.raw", 1 << 20);
        foreign_ = storages_.storage("local").add_volume("101/vm-101-disk-0.raw", 1 << 20);
        stray_ = storages_.storage("local").add_volume("100/vm-100-disk-7.raw", 1 << 20);
        store_.configs[100] = "memory: 512\nrootfs: " + own_ + ",size=1M\nmp0: " + mp_ + ",mp=/data\nmp1: /srv,mp=/srv\nunused0: " +
                              foreign_ + "\n";
    }

    std::string error_of(bool running = false, DestroyOptions options = {}) {
        try {
            destroy_container(store_, storages_, 100, running, options);
        } catch (const UserError& e) {
            return e.what();
        }
        return "";
    }

    FakeStorageRegistry storages_;
    MemoryConfigStore store_;
    std::string own_, mp_, foreign_, stray_;
};

TEST_F(ContainerDestroyTest, FreesOwnedVolumesKeepsForeignOnesAndRemovesConfig) {
    auto warnings = destroy_container(store_, storages_, 100, false, {});
    EXPECT_FALSE(storages_.storage("local").has_volume(own_));
    EXPECT_FALSE(storages_.storage("local").has_volume(mp_));
    EXPECT_TRUE(storages_.storage("local").has_volume(foreign_));
    EXPECT_TRUE(storages_.storage("local").has_volume(stray_));
    EXPECT_EQ(warnings, std::vector<std::string>{"ignore deletion of '" + foreign_ + "', CT 100 isn't the owner!"});
    EXPECT_FALSE(store_.read(100).has_value());
    EXPECT_EQ(store_.writes.back(), "lock: destroyed\n");
}

TEST_F(ContainerDestroyTest, UnreferencedDisksOnlyOnRequest) {
    destroy_container(store_, storages_, 100, false, {.destroy_unreferenced_disks = true, .all_storage_ids = {"local"}});
    EXPECT_FALSE(storages_.storage("local").has_volume(stray_));
    EXPECT_TRUE(storages_.storage("local").has_volume(foreign_));
}

TEST_F(ContainerDestroyTest, RefusesProtectedLockedAndRunningContainers) {
    std::string original = store_.configs[100];
    store_.configs[100] = original + "protection: 1\n";
    EXPECT_EQ(error_of(), "can't remove CT 100 - protection mode enabled");
    store_.configs[100] = original + "lock: backup\n";
    EXPECT_EQ(error_of(), "CT is locked (backup)");
    store_.configs[100] = original;
    EXPECT_EQ(error_of(true), "unable to destroy CT 100 - container is running");
    EXPECT_TRUE(storages_.calls().empty());
    EXPECT_EQ(store_.configs[100], original);
}

TEST_F(ContainerDestroyTest, FailureToFreeKeepsTheConfig) {
    storages_.storage("local").fail_on("free", "device busy");
    EXPECT_EQ(error_of(), "device busy");
    EXPECT_TRUE(store_.read(100).has_value());
}

}  // namespace
}  // namespace pct
