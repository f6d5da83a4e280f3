#include "core/config_changes.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "fakes/fake_storage.h"
#include "fakes/seeded_random.h"

namespace pct {
namespace {

class ConfigChangesTest : public ::testing::Test {
protected:
    ContainerConfig load(const std::string& text) { return parse_config(text, 100).config; }

    ChangeContext context(bool running = false) {
        return ChangeContext{.vmid = 100, .running = running, .facts = facts_, .random = random_};
    }

    std::string apply(ContainerConfig& config, ConfigChangeRequest request, bool running = false) {
        ChangeContext change = context(running);
        validate_change_request(request, change);
        warnings_ = apply_change_request(config, request, change);
        return write_config(config);
    }

    HostFacts facts_;
    SeededRandom random_{42};
    std::vector<std::string> warnings_;
};

TEST_F(ConfigChangesTest, SetOnStoppedContainerAppliesImmediately) {
    ContainerConfig config = load("memory: 512\nrootfs: /srv/ct\n");
    EXPECT_EQ(apply(config, {.set = {{"memory", "1024"}, {"onboot", "yes"}, {"tags", "B,a;b"}}}),
              "memory: 1024\nonboot: 1\nrootfs: /srv/ct\ntags: a;b\n");
}

TEST_F(ConfigChangesTest, SetOnRunningContainerQueuesAllButHotKeys) {
    ContainerConfig config = load("hostname: a\nmemory: 512\nrootfs: /srv/ct\n");
    EXPECT_EQ(apply(config, {.set = {{"memory", "1024"}, {"hostname", "b"}}}, true),
              "hostname: b\nmemory: 512\nrootfs: /srv/ct\n\n[pve:pending]\nmemory: 1024\n");
}

TEST_F(ConfigChangesTest, DeleteAndRevertFollowPendingRules) {
    ContainerConfig config = load("memory: 512\nswap: 256\nrootfs: /srv/ct\n");
    EXPECT_EQ(apply(config, {.delete_keys = {"swap"}}, true), "memory: 512\nrootfs: /srv/ct\nswap: 256\n\n[pve:pending]\ndelete: swap\n");
    EXPECT_EQ(apply(config, {.revert_keys = {"swap"}}, true), "memory: 512\nrootfs: /srv/ct\nswap: 256\n");
    EXPECT_EQ(apply(config, {.delete_keys = {"swap"}}), "memory: 512\nrootfs: /srv/ct\n");
}

TEST_F(ConfigChangesTest, DeletingUnsetKeyOnlyWarns) {
    ContainerConfig config = load("memory: 512\n");
    apply(config, {.delete_keys = {"cores"}});
    ASSERT_EQ(warnings_.size(), 1u);
    EXPECT_EQ(warnings_[0], "cannot delete 'cores' - not set in current configuration!");
}

TEST_F(ConfigChangesTest, RequiredAndReadOnlyOptionsCannotBeDeleted) {
    ContainerConfig config = load("memory: 512\nrootfs: /srv/ct\nostype: debian\nunprivileged: 1\n");
    for (const char* key : {"memory", "rootfs", "ostype"}) {
        try {
            apply(config, {.delete_keys = {key}});
            FAIL() << key;
        } catch (const UserError& e) {
            EXPECT_EQ(std::string(e.what()), std::string("unable to delete required option '") + key + "'");
        }
    }
    EXPECT_THROW(apply(config, {.delete_keys = {"unprivileged"}}), UserError);
    try {
        apply(config, {.set = {{"unprivileged", "0"}}});
        FAIL();
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "unable to modify read-only option: 'unprivileged'");
    }
}

TEST_F(ConfigChangesTest, ProtectionGuardsDrives) {
    ContainerConfig config = load("protection: 1\nrootfs: /srv/ct\nmp0: /srv/a,mp=/a\n");
    try {
        apply(config, {.set = {{"mp0", "/srv/b,mp=/b"}}});
        FAIL();
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "can't update CT 100 drive 'mp0' - protection mode enabled");
    }
    try {
        apply(config, {.delete_keys = {"mp0"}});
        FAIL();
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "can't remove CT 100 drive 'mp0' - protection mode enabled");
    }
}

TEST_F(ConfigChangesTest, NetworkGetsTypeAndGeneratedMacInCanonicalOrder) {
    ContainerConfig config = load("memory: 512\n");
    apply(config, {.set = {{"net0", "ip=dhcp,name=eth0,bridge=vmbr0"}}});
    const std::string& net = *config.main.get("net0");
    EXPECT_EQ(net.substr(0, 37), "name=eth0,bridge=vmbr0,hwaddr=BC:24:1");
    EXPECT_NE(net.find(",ip=dhcp,type=veth"), std::string::npos) << net;
}

TEST_F(ConfigChangesTest, ReplacedStorageVolumeBecomesUnused) {
    ContainerConfig config = load("mp0: local:100/vm-100-disk-1.raw,mp=/data,size=8G\nrootfs: /srv/ct\n");
    apply(config, {.set = {{"mp0", "mp=/data,volume=local:100/vm-100-disk-2.raw"}}});
    EXPECT_EQ(*config.main.get("mp0"), "local:100/vm-100-disk-2.raw,mp=/data");
    EXPECT_EQ(*config.main.get("unused0"), "local:100/vm-100-disk-1.raw");
}

TEST_F(ConfigChangesTest, DeletedMountPointVolumeBecomesUnusedButBindMountVanishes) {
    ContainerConfig config = load("mp0: local:100/vm-100-disk-1.raw,mp=/data\nmp1: /srv/x,mp=/x\nrootfs: /srv/ct\n");
    apply(config, {.delete_keys = {"mp0", "mp1"}});
    EXPECT_EQ(write_config(config), "rootfs: /srv/ct\nunused0: local:100/vm-100-disk-1.raw\n");
}

TEST_F(ConfigChangesTest, NewDiskRequestFailsWithoutStorageAndLeavesConfigUnchanged) {
    const std::string original = "memory: 512\nrootfs: /srv/ct\n";
    ContainerConfig config = load(original);
    try {
        apply(config, {.set = {{"mp0", "local:4,mp=/data"}}});
        FAIL();
    } catch (const ParameterError& e) {
        EXPECT_NE(std::string(e.what()).find("unable to apply pending change mp0 : "), std::string::npos) << e.what();
    }
}

TEST_F(ConfigChangesTest, ParameterValidationReportsEveryProblem) {
    ConfigChangeRequest request{.set = {{"memory", "5"}, {"net0", "name=eth0,brigde=vmbr0"}, {"hostname", "bad name"}},
                                .delete_keys = {"nosuchkey"}};
    try {
        validate_change_request(request, context());
        FAIL();
    } catch (const ParameterError& e) {
        ASSERT_EQ(e.problems().size(), 4u);
        EXPECT_EQ(e.problems()[0], "hostname: value 'bad name' does not look like a valid DNS name");
        EXPECT_EQ(e.problems()[1], "memory: value must have a minimum value of 16");
        EXPECT_EQ(e.problems()[2], "net0: unknown key 'brigde'");
        EXPECT_EQ(e.problems()[3], "delete: unknown option 'nosuchkey'");
    }
}

TEST_F(ConfigChangesTest, SameKeySetAndDeletedIsRefused) {
    EXPECT_THROW(validate_change_request({.set = {{"swap", "1"}}, .delete_keys = {"swap"}}, context()), ParameterError);
    EXPECT_THROW(validate_change_request({}, context()), UserError);
}

TEST_F(ConfigChangesTest, NameserverAndSearchdomainAreSpaceSeparated) {
    ContainerConfig config = load("memory: 512\n");
    apply(config, {.set = {{"nameserver", "1.1.1.1,8.8.8.8;fe80::1%eth0"}, {"searchdomain", "a.com,b.org"}}});
    EXPECT_EQ(*config.main.get("nameserver"), "1.1.1.1 8.8.8.8 fe80::1%eth0");
    EXPECT_EQ(*config.main.get("searchdomain"), "a.com b.org");
}

TEST_F(ConfigChangesTest, CpuunitsIsClampedForTheCgroupVersion) {
    ContainerConfig config = load("memory: 512\n");
    facts_.cgroup_version = 2;
    apply(config, {.set = {{"cpuunits", "20000"}}});
    EXPECT_EQ(*config.main.get("cpuunits"), "10000");
    facts_.cgroup_version = 1;
    apply(config, {.set = {{"cpuunits", "1"}}});
    EXPECT_EQ(*config.main.get("cpuunits"), "2");
}

TEST_F(ConfigChangesTest, MtuAboveBridgeMtuIsRefused) {
    facts_.bridge_mtu = [](const std::string&) { return std::optional<int>(1500); };
    ContainerConfig config = load("memory: 512\n");
    try {
        apply(config, {.set = {{"net0", "name=eth0,bridge=vmbr0,mtu=9000"}}});
        FAIL();
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "net0: MTU size '9000' is bigger than bridge MTU '1500'");
    }
}

TEST_F(ConfigChangesTest, DescriptionIsStoredAsCommentLines) {
    ContainerConfig config = load("memory: 512\n");
    EXPECT_EQ(apply(config, {.set = {{"description", "first: line\nsecond"}}}), "#first%3A line\n#second\nmemory: 512\n");
    EXPECT_EQ(apply(config, {.delete_keys = {"description"}}), "memory: 512\n");
}

TEST_F(ConfigChangesTest, UnusedIndexIsLowestFreeAndDuplicatesAreSkipped) {
    ConfigSection section;
    section.values["unused0"] = "local:a";
    section.values["unused2"] = "local:c";
    add_unused_volume(section, "local:b");
    add_unused_volume(section, "local:a");
    EXPECT_EQ(*section.get("unused1"), "local:b");
    EXPECT_EQ(section.values.size(), 3u);
}

TEST_F(ConfigChangesTest, MountPointStorageMustExistBeSupportedAndAllowContainers) {
    StorageConfig storage = parse_storage_config(
        "dir: local\n\tpath /var/lib/vz\n\tcontent rootdir,images\n\n"
        "dir: isos\n\tpath /srv/iso\n\tcontent iso\n\n"
        "lvm: vg\n\tvgname pve\n\tcontent rootdir\n");
    ContainerConfig config = load("memory: 512\n");
    auto error_of = [&](const std::string& value) -> std::string {
        ChangeContext change = context();
        change.storage = &storage;
        try {
            apply_change_request(config, {.set = {{"mp0", value}}}, change);
        } catch (const UserError& e) {
            return e.what();
        }
        return "";
    };
    EXPECT_EQ(error_of("nosuch:100/vm-100-disk-0.raw,mp=/a"), "storage 'nosuch' does not exist");
    EXPECT_EQ(error_of("isos:100/vm-100-disk-0.raw,mp=/a"), "storage 'isos' does not allow content type 'rootdir' (Container)");
    EXPECT_EQ(error_of("vg:vm-100-disk-0,mp=/a"), "storage 'vg' has type 'lvm', which pct does not support (supported: dir, btrfs)");
    EXPECT_EQ(error_of("local:100/vm-100-disk-0.raw,mp=/a,idmap=u:0:1:5;u:3:8:2"),
              "invalid map entry 'u 3 8 2': container uid 3 is also mapped by entry 'u 0 1 5'");
    EXPECT_EQ(error_of("/srv/bind,mp=/b"), "");
    EXPECT_EQ(error_of("local:100/vm-100-disk-0.raw,mp=/a"), "");
}

TEST_F(ConfigChangesTest, NewDiskRequestAllocatesOnTheStorageOwnedByTheContainerRoot) {
    FakeStorageRegistry storages;
    storages.add("local");
    ContainerConfig config = load("memory: 512\nrootfs: /srv/ct\nunprivileged: 1\n");
    ChangeContext change = context();
    change.storages = &storages;
    apply_change_request(config, {.set = {{"mp0", "local:2,mp=/data,backup=1"}}}, change);
    EXPECT_EQ(*config.main.get("mp0"), "local:100/vm-100-disk-0.raw,mp=/data,backup=1,size=2G");
    ASSERT_EQ(storages.storage("local").allocate_requests().size(), 1u);
    EXPECT_EQ(storages.storage("local").allocate_requests()[0].root_uid, 100000u);
    EXPECT_EQ(storages.storage("local").allocate_requests()[0].size_kib, 2u * 1024 * 1024);
}

TEST_F(ConfigChangesTest, FailedChangeFreesTheVolumesItAllocated) {
    FakeStorageRegistry storages;
    storages.add("local");
    storages.add("other").fail_on("allocate", "No space left on device");
    ContainerConfig config = load("memory: 512\nrootfs: /srv/ct\n");
    ChangeContext change = context();
    change.storages = &storages;
    EXPECT_THROW(apply_change_request(config, {.set = {{"mp0", "local:1,mp=/a"}, {"mp1", "other:1,mp=/b"}}}, change),
                 ParameterError);
    EXPECT_TRUE(storages.storage("local").volume_ids().empty());
}

TEST_F(ConfigChangesTest, DeletingUnusedFreesOwnedUnreferencedVolumesOnly) {
    FakeStorageRegistry storages;
    FakeStorage& local = storages.add("local");
    std::string own = local.add_volume("100/vm-100-disk-1.raw", 1 << 20);
    std::string in_snapshot = local.add_volume("100/vm-100-disk-2.raw", 1 << 20);
    std::string foreign = local.add_volume("101/vm-101-disk-0.raw", 1 << 20);
    ContainerConfig config = load("memory: 512\nunused0: " + own + "\nunused1: " + in_snapshot + "\nunused2: " + foreign +
                                  "\n\n[snap]\nmp0: " + in_snapshot + ",mp=/x\n");
    ChangeContext change = context();
    change.storages = &storages;
    auto warnings = apply_change_request(config, {.delete_keys = {"unused0", "unused1", "unused2"}}, change);
    EXPECT_FALSE(local.has_volume(own));
    EXPECT_TRUE(local.has_volume(in_snapshot));
    EXPECT_TRUE(local.has_volume(foreign));
    EXPECT_EQ(warnings, std::vector<std::string>{"ignore deletion of '" + foreign + "', CT 100 isn't the owner!"});
    EXPECT_FALSE(config.main.has("unused0") || config.main.has("unused1") || config.main.has("unused2"));
}

TEST_F(ConfigChangesTest, ApplyAllPendingAppliesEverything) {
    ContainerConfig config = load("memory: 512\nswap: 1\n\n[pve:pending]\ndelete: swap\nmemory: 2048\n");
    apply_all_pending(config, context());
    EXPECT_EQ(write_config(config), "memory: 2048\n");
}

}  // namespace
}  // namespace pct

namespace pct {
namespace {

TEST(ConfigChangesHookscript, NewHookscriptIsCheckedAndProblemsNamed) {
    HostFacts facts;
    SeededRandom random{1};
    std::vector<std::string> checked;
    ChangeContext change{.vmid = 100, .facts = facts, .random = random, .check_hookscript = [&](const std::string& volid) {
                             checked.push_back(volid);
                             throw UserError("script '" + volid + "' is not executable");
                         }};
    try {
        validate_change_request({.set = {{"hookscript", "local:snippets/hook.sh"}}}, change);
        FAIL() << "accepted a hookscript the check refused";
    } catch (const ParameterError& e) {
        EXPECT_EQ(e.problems(), std::vector<std::string>{"hookscript: script 'local:snippets/hook.sh' is not executable"});
    }
    EXPECT_EQ(checked, std::vector<std::string>{"local:snippets/hook.sh"});
    validate_change_request({.set = {{"memory", "256"}}}, change);  // other keys do not run the check
    EXPECT_EQ(checked.size(), 1u);
}

}  // namespace
}  // namespace pct
