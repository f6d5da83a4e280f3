#include "core/lock_property.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "fakes/memory_config_store.h"
#include "core/tests/user_error_of.h"

namespace pct {
namespace {


TEST(LockProperty, SetThenRemove) {
    MemoryConfigStore store;
    store.configs[100] = "memory: 512\n";
    set_lock_property(store, 100, "mounted");
    EXPECT_EQ(store.configs[100], "lock: mounted\nmemory: 512\n");
    EXPECT_EQ(user_error_of([&] { set_lock_property(store, 100, "fstrim"); }), "CT is locked (mounted)");
    EXPECT_EQ(user_error_of([&] { remove_lock_property(store, 100, "fstrim"); }), "found lock 'mounted' trying to remove 'fstrim' lock");
    remove_lock_property(store, 100, "mounted");
    EXPECT_EQ(store.configs[100], "memory: 512\n");
    EXPECT_EQ(user_error_of([&] { remove_lock_property(store, 100, "mounted"); }), "no lock found trying to remove 'mounted' lock");
}

}  // namespace
}  // namespace pct
