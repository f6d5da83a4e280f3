#include "core/storage_config.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/error.h"
#include "core/tests/user_error_of.h"

namespace pct {
namespace {

using Properties = std::vector<std::pair<std::string, std::string>>;


bool has_warning_containing(const StorageConfig& config, std::string_view text) {
    for (const auto& warning : config.warnings)
        if (warning.find(text) != std::string::npos) return true;
    return false;
}

constexpr std::string_view kSpecExample =
    "dir: local\n"
    "\tpath /var/lib/vz\n"
    "\tcontent iso,vztmpl,backup,rootdir,images\n"
    "\n"
    "btrfs: fast\n"
    "\tpath /mnt/btrfs\n"
    "\tcontent rootdir,images\n"
    "\tnodes node1\n";

// ---- parsing --------------------------------------------------------------------

TEST(StorageConfigParse, SpecExample) {
    const auto config = parse_storage_config(kSpecExample);
    EXPECT_TRUE(config.warnings.empty());
    ASSERT_EQ(config.storages.size(), 2u);

    const auto& local = config.storages[0];
    EXPECT_EQ(local.type, "dir");
    EXPECT_EQ(local.id, "local");
    EXPECT_TRUE(local.supported());
    EXPECT_EQ(local.path(), "/var/lib/vz");
    EXPECT_EQ(local.content(), (std::set<std::string>{"backup", "images", "iso", "rootdir", "vztmpl"}));
    EXPECT_FALSE(local.disabled());

    const auto& fast = config.storages[1];
    EXPECT_EQ(fast.type, "btrfs");
    EXPECT_EQ(fast.properties,
              (Properties{{"path", "/mnt/btrfs"}, {"content", "rootdir,images"}, {"nodes", "node1"}}));
    EXPECT_EQ(config.find("fast"), &fast);
    EXPECT_EQ(config.find("nope"), nullptr);
}

TEST(StorageConfigParse, OtherProxmoxTypesAreKeptButUnsupported) {
    const auto config = parse_storage_config(
        "lvmthin: local-lvm\n\tthinpool data\n\tvgname pve\n\tcontent rootdir,images\n\n"
        "zfspool: tank\n\tpool tank/ct\n\n"
        "nfs: backups\n\tserver 10.0.0.1\n\texport /exp\n\tpath /mnt/pve/backups\n\n"
        "rbd: ceph\n\tpool rbd\n\tkrbd\n\n"
        "LVM: Vg1\n\tvgname vg1\n\n"
        "cifs: smb\n\tserver s\n\tshare x\n\tpath /mnt/pve/smb\n\n"
        "pbs: pbs1\n\tserver pbs\n\tdatastore d\n");
    EXPECT_TRUE(config.warnings.empty()) << config.warnings.front();
    ASSERT_EQ(config.storages.size(), 7u);
    for (const auto& storage : config.storages) EXPECT_FALSE(storage.supported()) << storage.id;
    EXPECT_EQ(config.storages[4].type, "lvm");  // type lower-cased, id as written
    EXPECT_EQ(config.storages[4].id, "Vg1");
    EXPECT_EQ(config.find("ceph")->get("krbd"), "1");
    // per-type default content
    EXPECT_EQ(config.find("tank")->content(), (std::set<std::string>{"images", "rootdir"}));
    EXPECT_EQ(config.find("backups")->content(), (std::set<std::string>{"images"}));
    EXPECT_EQ(config.find("pbs1")->content(), (std::set<std::string>{"backup"}));
}

TEST(StorageConfigParse, DefaultContentForDirAndBtrfs) {
    const auto config = parse_storage_config("dir: a1\n\tpath /a\n\nbtrfs: b1\n\tpath /b\n\ndir: c1\n\tpath /c\n\tcontent none\n");
    EXPECT_EQ(config.find("a1")->content(), (std::set<std::string>{"images", "rootdir"}));
    EXPECT_EQ(config.find("b1")->content(), (std::set<std::string>{"images", "rootdir"}));
    EXPECT_TRUE(config.find("c1")->content().empty());
    EXPECT_EQ(config.find("a1")->get("content"), std::nullopt);  // the default is not written into the file
}

TEST(StorageConfigParse, ContentListSeparators) {
    const auto config = parse_storage_config("dir: a1\n\tpath /a\n\tcontent vztmpl;iso backup,,images\n");
    EXPECT_EQ(config.find("a1")->content(), (std::set<std::string>{"backup", "images", "iso", "vztmpl"}));
}

TEST(StorageConfigParse, CommentsAndWhitespace) {
    const auto config = parse_storage_config(
        "# leading comment\n"
        "dir:   spaced   \n"
        "  # comment inside a section does not end it\n"
        "    path    /srv/a dir   \n"
        "\tdisable\n"
        "\n"
        "\n"
        "dir:tight\n"
        "\tpath /t\r\n"
        "   \n"
        "#trailing\n");
    EXPECT_TRUE(config.warnings.empty()) << config.warnings.front();
    ASSERT_EQ(config.storages.size(), 2u);
    EXPECT_EQ(config.storages[0].id, "spaced");
    EXPECT_EQ(config.storages[0].path(), "/srv/a dir");
    EXPECT_TRUE(config.storages[0].disabled());
    EXPECT_EQ(config.storages[1].id, "tight");
    EXPECT_EQ(config.storages[1].path(), "/t");
}

TEST(StorageConfigParse, BooleansAreNormalised) {
    const auto config = parse_storage_config(
        "dir: a1\n\tpath /a\n\tshared yes\n\tdisable off\n\tmkdir\n\tcreate-subdirs 0\n\tis_mountpoint yes\n");
    EXPECT_TRUE(config.warnings.empty());
    EXPECT_EQ(config.storages[0].properties, (Properties{{"path", "/a"},
                                                         {"shared", "1"},
                                                         {"disable", "0"},
                                                         {"mkdir", "1"},
                                                         {"create-subdirs", "0"},
                                                         {"is_mountpoint", "yes"}}));
    EXPECT_FALSE(config.storages[0].disabled());
}

TEST(StorageConfigParse, InvalidIdSkipsTheSectionWithAWarning) {
    const auto config = parse_storage_config("dir: 1bad\n\tpath /x\n\ndir: good\n\tpath /g\n");
    ASSERT_EQ(config.storages.size(), 1u);
    EXPECT_EQ(config.storages[0].id, "good");
    ASSERT_EQ(config.warnings.size(), 1u);
    EXPECT_EQ(config.warnings[0],
              "file /etc/pve/storage.cfg line 1 (skip section '1bad'): storage ID '1bad' contains illegal characters");
}

TEST(StorageConfigParse, UnknownTypeSkipsTheSectionWithAWarning) {
    const auto config = parse_storage_config("frobfs: weird\n\tpath /x\n\tfoo bar\n\ndir: good\n\tpath /g\n",
                                             "storage.cfg");
    ASSERT_EQ(config.storages.size(), 1u);
    ASSERT_EQ(config.warnings.size(), 1u);
    EXPECT_EQ(config.warnings[0], "file storage.cfg line 1 (skip section 'weird'): unsupported type 'frobfs'");
}

TEST(StorageConfigParse, LinesOutsideSectionsAreIgnoredWithAWarning) {
    const auto config = parse_storage_config("\tpath /stray\ngarbage\n\ndir: good\n\tpath /g\n");
    ASSERT_EQ(config.storages.size(), 1u);
    ASSERT_EQ(config.warnings.size(), 2u);
    EXPECT_EQ(config.warnings[0], "file /etc/pve/storage.cfg line 1 - ignore config line: \tpath /stray");
    EXPECT_EQ(config.warnings[1], "file /etc/pve/storage.cfg line 2 - ignore config line: garbage");
}

TEST(StorageConfigParse, SectionsNeedABlankLineBetweenThem) {
    // as in Proxmox, only an empty line ends a section
    const auto config = parse_storage_config("dir: one\n\tpath /1\ndir: two\n\tpath /2\n");
    ASSERT_EQ(config.storages.size(), 1u);
    EXPECT_EQ(config.storages[0].path(), "/1");
    EXPECT_TRUE(has_warning_containing(config, "line 3 (section 'one') - ignore config line: dir: two"));
}

TEST(StorageConfigParse, DuplicateKeyKeepsTheFirstWithAWarning) {
    const auto config = parse_storage_config("dir: a1\n\tpath /first\n\tpath /second\n");
    EXPECT_EQ(config.storages[0].path(), "/first");
    ASSERT_EQ(config.warnings.size(), 1u);
    EXPECT_EQ(config.warnings[0],
              "file /etc/pve/storage.cfg line 3 (section 'a1') - unable to parse value of 'path': duplicate attribute");
}

TEST(StorageConfigParse, DuplicateSectionIsSkipped) {
    const auto config = parse_storage_config("dir: a1\n\tpath /first\n\nbtrfs: a1\n\tpath /second\n");
    ASSERT_EQ(config.storages.size(), 1u);
    EXPECT_EQ(config.storages[0].type, "dir");
    EXPECT_TRUE(has_warning_containing(config, "(skip section 'a1'): duplicate storage ID 'a1'"));
}

TEST(StorageConfigParse, BadValuesAreDroppedWithAWarning) {
    const auto config = parse_storage_config("dir: a1\n\tpath /a\n\tshared maybe\n\tformat\n");
    EXPECT_EQ(config.storages[0].properties, (Properties{{"path", "/a"}}));
    EXPECT_TRUE(has_warning_containing(config, "unable to parse value of 'shared': type check ('boolean') failed - got 'maybe'"));
    EXPECT_TRUE(has_warning_containing(config, "unable to parse value of 'format': missing value"));
}

TEST(StorageConfigParse, DirWithoutPathIsSkipped) {
    const auto config = parse_storage_config("dir: nopath\n\tcontent images\n");
    EXPECT_TRUE(config.storages.empty());
    EXPECT_TRUE(has_warning_containing(config, "(skip section 'nopath'): missing value for required option 'path'"));
}

TEST(StorageConfigParse, EmptyInput) {
    const auto config = parse_storage_config("");
    EXPECT_TRUE(config.storages.empty());
    EXPECT_TRUE(config.warnings.empty());
}

// ---- the forced `local` storage -------------------------------------------------

const Properties kForcedLocal = {
    {"path", "/root/var/lib/vz"},
    {"content", "backup,images,iso,rootdir,snippets,vztmpl"},
    {"prune-backups", "keep-all=1"},
};

TEST(StorageConfigLocal, AddedFirstWhenMissing) {
    const auto config = with_local_storage(parse_storage_config("dir: other\n\tpath /o\n"), "/root/var/lib/vz");
    ASSERT_EQ(config.storages.size(), 2u);
    EXPECT_EQ(config.storages[0].id, "local");
    EXPECT_EQ(config.storages[0].type, "dir");
    EXPECT_EQ(config.storages[0].properties, kForcedLocal);
    EXPECT_EQ(config.storages[1].id, "other");

    const auto empty = with_local_storage(StorageConfig{}, "/var/lib/vz");
    ASSERT_EQ(empty.storages.size(), 1u);
    EXPECT_EQ(empty.storages[0].path(), "/var/lib/vz");
    EXPECT_EQ(empty.storages[0].content(),
              (std::set<std::string>{"backup", "images", "iso", "rootdir", "snippets", "vztmpl"}));
}

TEST(StorageConfigLocal, ReplacedInPlaceWhenNotDirOrElsewhere) {
    for (std::string_view text : {"dir: first\n\tpath /f\n\nbtrfs: local\n\tpath /root/var/lib/vz\n",
                                  "dir: first\n\tpath /f\n\ndir: local\n\tpath /somewhere/else\n\tcontent images\n",
                                  "dir: first\n\tpath /f\n\nlvmthin: local\n\tvgname pve\n\tthinpool data\n"}) {
        const auto config = with_local_storage(parse_storage_config(text), "/root/var/lib/vz");
        ASSERT_EQ(config.storages.size(), 2u) << text;
        EXPECT_EQ(config.storages[0].id, "first");
        EXPECT_EQ(config.storages[1].type, "dir");
        EXPECT_EQ(config.storages[1].properties, kForcedLocal) << text;
    }
}

TEST(StorageConfigLocal, KeptWhenRightButNeverSharedOrNodeBound) {
    const auto config = with_local_storage(
        parse_storage_config("dir: local\n\tpath /root/var/lib/vz\n\tcontent vztmpl,rootdir\n\tnodes n1\n\tshared 1\n"),
        "/root/var/lib/vz");
    ASSERT_EQ(config.storages.size(), 1u);
    EXPECT_EQ(config.storages[0].properties, (Properties{{"path", "/root/var/lib/vz"}, {"content", "vztmpl,rootdir"}}));
}

// ---- writer -----------------------------------------------------------------------

TEST(StorageConfigWrite, CanonicalOrder) {
    const auto config = parse_storage_config(
        "dir: store1\n"
        "\tshared 0\n"
        "\tcontent rootdir,images,vztmpl\n"
        "\tcomment my store\n"
        "\tpath /srv/store1\n"
        "\tdisable yes\n"
        "\tcreate-subdirs no\n"
        "\tis_mountpoint /srv\n"
        "\n"
        "nfs: nas\n"
        "\toptions vers=4\n"
        "\tserver 10.0.0.2\n"
        "\tpath /mnt/pve/nas\n"
        "\texport /export\n"
        "\tcontent none\n");
    EXPECT_EQ(write_storage_config(config),
              "dir: store1\n"
              "\tcomment my store\n"
              "\tdisable\n"
              "\tpath /srv/store1\n"
              "\tcontent images,rootdir,vztmpl\n"
              "\tcreate-subdirs 0\n"
              "\tis_mountpoint /srv\n"
              "\tshared 0\n"
              "\n"
              "nfs: nas\n"
              "\texport /export\n"
              "\tpath /mnt/pve/nas\n"
              "\tserver 10.0.0.2\n"
              "\tcontent none\n"
              "\toptions vers=4\n"
              "\n");
}

TEST(StorageConfigWrite, DisableZeroIsOmitted) {
    const auto config = parse_storage_config("dir: a1\n\tdisable 0\n\tpath /a\n");
    EXPECT_EQ(write_storage_config(config), "dir: a1\n\tpath /a\n\n");
}

TEST(StorageConfigWrite, RoundTripIsStable) {
    const auto first = write_storage_config(with_local_storage(parse_storage_config(kSpecExample), "/var/lib/vz"));
    EXPECT_EQ(first,
              "dir: local\n"
              "\tpath /var/lib/vz\n"
              "\tcontent backup,images,iso,rootdir,vztmpl\n"
              "\n"
              "btrfs: fast\n"
              "\tpath /mnt/btrfs\n"
              "\tcontent images,rootdir\n"
              "\tnodes node1\n"
              "\n");
    const auto reparsed = parse_storage_config(first);
    EXPECT_TRUE(reparsed.warnings.empty());
    EXPECT_EQ(write_storage_config(reparsed), first);
}

TEST(StorageConfigWrite, ForcedLocal) {
    EXPECT_EQ(write_storage_config(with_local_storage(StorageConfig{}, "/var/lib/vz")),
              "dir: local\n"
              "\tpath /var/lib/vz\n"
              "\tcontent backup,images,iso,rootdir,snippets,vztmpl\n"
              "\tprune-backups keep-all=1\n"
              "\n");
}

// ---- rootdir content check --------------------------------------------------------

TEST(StorageConfigRootdir, AllowedStorage) {
    const auto config = with_local_storage(parse_storage_config(kSpecExample), "/var/lib/vz");
    EXPECT_EQ(&require_rootdir_storage(config, "fast"), config.find("fast"));
    EXPECT_EQ(require_rootdir_storage(config, "local").id, "local");
}

TEST(StorageConfigRootdir, Errors) {
    const auto config = parse_storage_config("dir: isos\n\tpath /isos\n\tcontent iso,vztmpl\n\ndir: plain\n\tpath /p\n");
    EXPECT_EQ(user_error_of([&] { require_rootdir_storage(config, "isos"); }),
              "storage 'isos' does not allow content type 'rootdir' (Container)");
    EXPECT_EQ(user_error_of([&] { require_rootdir_storage(config, "missing"); }), "storage 'missing' does not exist");
    EXPECT_NO_THROW(require_rootdir_storage(config, "plain"));  // default content includes rootdir
}

}  // namespace
}  // namespace pct
