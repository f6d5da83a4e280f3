// core/container_template.h: `pct template` against FakeStorage and a memory
// config store.
#include "core/container_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "fakes/fake_storage.h"
#include "fakes/memory_config_store.h"

namespace pct {
namespace {

using ::testing::HasSubstr;
using Lines = std::vector<std::string>;

class TemplateTest : public ::testing::Test {
protected:
    TemplateTest() {
        FakeStorage& local = storages_.add("local");
        FakeStorage& tank = storages_.add("tank", "btrfs");
        rootfs_ = local.add_volume("100/vm-100-disk-0.raw", 1 << 30);
        data_ = tank.add_volume("100/subvol-100-disk-1.subvol");
        raw_data_ = tank.add_volume("100/vm-100-disk-2.raw", 1 << 30);
        store_.configs[100] = "arch: amd64\nhostname: ct\nmp0: " + data_ + ",mp=/data,backup=1\nmp1: " + raw_data_ +
                              ",mp=/raw,size=1G\nostype: debian\nrootfs: " + rootfs_ + ",size=1G\n";
    }

    std::vector<std::string> convert(int vmid = 100) {
        return convert_to_template(store_, storages_, vmid, [this](int id) { return running_.contains(id); });
    }

    std::string error_of(int vmid = 100) {
        try {
            convert(vmid);
        } catch (const UserError& e) {
            return e.what();
        }
        return "<no error>";
    }

    FakeStorage& local() { return storages_.storage("local"); }
    FakeStorage& tank() { return storages_.storage("tank"); }

    MemoryConfigStore store_;
    FakeStorageRegistry storages_;
    std::set<int> running_;
    std::string rootfs_, data_, raw_data_;
};

TEST_F(TemplateTest, EveryVolumeBecomesABaseVolumeThenTemplateIsSet) {
    EXPECT_TRUE(convert().empty());
    EXPECT_EQ(store_.configs[100], "arch: amd64\nhostname: ct\nmp0: " + data_ +
                                       ",mp=/data,backup=1\nmp1: tank:100/base-100-disk-2.raw,mp=/raw,size=1G\n"
                                       "ostype: debian\nrootfs: local:100/base-100-disk-0.raw,size=1G\ntemplate: 1\n");
    EXPECT_EQ(local().calls(), (Lines{"create_base " + rootfs_}));
    EXPECT_EQ(tank().calls(), (Lines{"create_base " + data_, "create_base " + raw_data_}));
    EXPECT_TRUE(local().is_read_only("local:100/base-100-disk-0.raw"));
    EXPECT_TRUE(tank().is_read_only(data_));  // a subvol keeps its name
    EXPECT_TRUE(tank().is_read_only("tank:100/base-100-disk-2.raw"));
    // Each renamed volume was written at once, template: 1 last.
    ASSERT_EQ(store_.writes.size(), 4u);
    EXPECT_THAT(store_.writes[0], HasSubstr("rootfs: local:100/base-100-disk-0.raw"));
    EXPECT_THAT(store_.writes[2], ::testing::Not(HasSubstr("template")));
    EXPECT_THAT(store_.writes[3], HasSubstr("template: 1"));
}

TEST_F(TemplateTest, RefusedWithTheSpecsMessagesAndNothingChanged) {
    const std::string original = store_.configs[100];
    struct Case {
        const char* name;
        std::string config;
        bool running;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"locked", "lock: mounted\n" + original, false, "CT is locked (mounted)"},
        {"snapshots", original + "parent: s1\n\n[s1]\nhostname: ct\nsnaptime: 1700000000\n", false,
         "unable to create template, because CT contains snapshots"},
        {"template", original + "template: 1\n", false, "you can't convert a template to a template"},
        {"running", original, true, "you can't convert a CT to template if the CT is running"},
        {"bind mount", original + "mp2: /srv/shared,mp=/shared\n", false,
         "Template feature is not available for '/srv/shared'"},
        {"device mount", original + "mp2: /dev/sdb1,mp=/disk\n", false,
         "Template feature is not available for '/dev/sdb1'"},
    };
    for (const auto& test : cases) {
        SCOPED_TRACE(test.name);
        store_.configs[100] = test.config;
        store_.writes.clear();
        if (test.running) running_.insert(100);
        EXPECT_EQ(error_of(), test.message);
        EXPECT_EQ(store_.configs[100], test.config);
        EXPECT_TRUE(store_.writes.empty());
        running_.clear();
    }
    EXPECT_TRUE(local().calls().empty());
    EXPECT_TRUE(tank().calls().empty());
    EXPECT_EQ(error_of(101), "Configuration file '/etc/pve/lxc/101.conf' does not exist");
}

TEST_F(TemplateTest, EveryVolumeIsCheckedBeforeAnyIsConverted) {
    tank().set_supported(raw_data_, StorageFeature::Template, false);
    const std::string before = store_.configs[100];
    EXPECT_EQ(error_of(), "Template feature is not available for '" + raw_data_ + "'");
    EXPECT_EQ(store_.configs[100], before);
    EXPECT_TRUE(local().calls().empty());
}

TEST_F(TemplateTest, AFailureHalfWayLeavesTheConfigNamingWhatIsOnTheStorage) {
    tank().fail_on_nth("create_base", 2, "rename failed");
    EXPECT_EQ(error_of(), "rename failed");
    // rootfs and mp0 were converted and recorded; mp1 not; no template: 1.
    EXPECT_THAT(store_.configs[100], HasSubstr("rootfs: local:100/base-100-disk-0.raw,size=1G\n"));
    EXPECT_THAT(store_.configs[100], HasSubstr("mp1: " + raw_data_ + ","));
    EXPECT_THAT(store_.configs[100], ::testing::Not(HasSubstr("template")));
    EXPECT_TRUE(tank().has_volume(raw_data_));
    EXPECT_TRUE(local().has_volume("local:100/base-100-disk-0.raw"));
}

}  // namespace
}  // namespace pct
