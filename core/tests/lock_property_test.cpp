#include "core/lock_property.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "fakes/memory_config_store.h"

namespace pct {
namespace {

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

TEST(LockProperty, SetThenRemove) {
    MemoryConfigStore store;
    store.configs[100] = "memory: 512\n";
    set_lock_property(store, 100, "mounted");
    EXPECT_EQ(store.configs[100], "lock: mounted\nmemory: 512\n");
    EXPECT_EQ(error_of([&] { set_lock_property(store, 100, "fstrim"); }), "CT is locked (mounted)");
    EXPECT_EQ(error_of([&] { remove_lock_property(store, 100, "fstrim"); }), "found lock 'mounted' trying to remove 'fstrim' lock");
    remove_lock_property(store, 100, "mounted");
    EXPECT_EQ(store.configs[100], "memory: 512\n");
    EXPECT_EQ(error_of([&] { remove_lock_property(store, 100, "mounted"); }), "no lock found trying to remove 'mounted' lock");
}

}  // namespace
}  // namespace pct
