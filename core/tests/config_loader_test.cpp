#include "core/config_loader.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace pct {
namespace {

std::string error_of(const std::string& text) {
    try {
        parse_config_strict(text, 100, "/etc/pve/lxc/100.conf");
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

TEST(ConfigLoader, EveryProblemNamesFileLineAndKey) {
    EXPECT_EQ(error_of("memory: 512\ntty: 9\n"), "/etc/pve/lxc/100.conf:2: tty: value may only be 6 or less");
    EXPECT_EQ(error_of("memory: 512\nvmstate: x\n"), "/etc/pve/lxc/100.conf:2: vmstate: unknown setting 'vmstate'");
    EXPECT_EQ(error_of("garbage here\nmemory: 8\n"),
              "/etc/pve/lxc/100.conf:1: vm 100 - unable to parse config: garbage here\n"
              "/etc/pve/lxc/100.conf:2: memory: value must have a minimum value of 16");
    EXPECT_EQ(error_of("memory: 512\nostype: debian\n"), "");
}

TEST(ConfigLoader, CheckLockAndVmid) {
    ContainerConfig config = parse_config("lock: backup\n", 100).config;
    try {
        check_lock(config);
        FAIL();
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "CT is locked (backup)");
    }
    EXPECT_EQ(parse_vmid("100"), 100);
    EXPECT_EQ(parse_vmid("999999999"), 999999999);
    for (const char* bad : {"99", "0100", "1000000000", "abc", "", "-100"}) EXPECT_THROW(parse_vmid(bad), UserError) << bad;
}

}  // namespace
}  // namespace pct
