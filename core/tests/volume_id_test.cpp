#include "core/volume_id.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/error.h"
#include "core/tests/user_error_of.h"

namespace pct {
namespace {


// ---- storage ids and volume ids ---------------------------------------------

TEST(VolumeIdStorageId, FollowsTheSharedFormat) {
    for (std::string_view good : {"local", "lo", "local-lvm", "my_store.2", "A1", "Fast-Disk9"})
        EXPECT_TRUE(is_valid_storage_id(good)) << good;
    for (std::string_view bad : {"", "a", "1local", "local-", "local.", "_local", "lo cal", "lo:cal", "löcal"})
        EXPECT_FALSE(is_valid_storage_id(bad)) << bad;
}

TEST(VolumeIdParse, SplitsAtTheFirstColon) {
    EXPECT_EQ(parse_volume_id("local:100/vm-100-disk-0.raw"), (VolumeId{"local", "100/vm-100-disk-0.raw"}));
    EXPECT_EQ(parse_volume_id("nfs1:iso/a:b.iso"), (VolumeId{"nfs1", "iso/a:b.iso"}));
    EXPECT_EQ(parse_volume_id("local:8"), (VolumeId{"local", "8"}));
    EXPECT_EQ(parse_volume_id("local:vztmpl/debian.tar.zst").to_string(), "local:vztmpl/debian.tar.zst");
}

TEST(VolumeIdParse, RejectsBadIds) {
    for (std::string bad : {"", "local", "local:", ":100/vm-100-disk-0.raw", "1st:foo", "x:foo", "lo cal:foo",
                            "/var/lib/vz", "local:a\nb"}) {
        EXPECT_EQ(user_error_of([&] { parse_volume_id(bad); }), "unable to parse volume ID '" + bad + "'") << bad;
    }
}

// ---- directory-style volume names ---------------------------------------------

TEST(VolumeIdDirVolname, Images) {
    auto raw = parse_dir_volname("100/vm-100-disk-0.raw");
    EXPECT_EQ(raw.kind, VolumeKind::image);
    EXPECT_EQ(raw.file_name, "vm-100-disk-0.raw");
    EXPECT_EQ(raw.owner_vmid, 100);
    EXPECT_EQ(raw.format, ImageFormat::raw);
    EXPECT_FALSE(raw.is_base);
    EXPECT_EQ(raw.base_vmid, std::nullopt);

    auto subvol = parse_dir_volname("101/subvol-101-disk-3.subvol");
    EXPECT_EQ(subvol.format, ImageFormat::subvol);
    EXPECT_EQ(subvol.owner_vmid, 101);

    auto base = parse_dir_volname("102/base-102-disk-0.raw");
    EXPECT_TRUE(base.is_base);

    EXPECT_EQ(parse_dir_volname("200/vm-200-disk-1.qcow2").format, ImageFormat::qcow2);
    EXPECT_EQ(parse_dir_volname("200/vm-200-disk-1.vmdk").format, ImageFormat::vmdk);
    // the owner is the directory, whatever id the name carries
    EXPECT_EQ(parse_dir_volname("300/vm-100-cloudinit.raw").owner_vmid, 300);
}

TEST(VolumeIdDirVolname, LinkedClone) {
    auto clone = parse_dir_volname("100/base-100-disk-0.raw/105/vm-105-disk-0.qcow2");
    EXPECT_EQ(clone.kind, VolumeKind::image);
    EXPECT_EQ(clone.owner_vmid, 105);
    EXPECT_EQ(clone.base_vmid, 100);
    EXPECT_EQ(clone.base_name, "base-100-disk-0.raw");
    EXPECT_EQ(clone.file_name, "vm-105-disk-0.qcow2");
    EXPECT_EQ(clone.format, ImageFormat::qcow2);
}

TEST(VolumeIdDirVolname, ContentDirectories) {
    auto tmpl = parse_dir_volname("vztmpl/debian-12-standard_12.7-1_amd64.tar.zst");
    EXPECT_EQ(tmpl.kind, VolumeKind::vztmpl);
    EXPECT_EQ(tmpl.file_name, "debian-12-standard_12.7-1_amd64.tar.zst");
    EXPECT_EQ(tmpl.format, std::nullopt);
    for (std::string_view name : {"vztmpl/a.tar", "vztmpl/a.tar.gz", "vztmpl/a.tar.xz", "vztmpl/a.tar.bz2",
                                  "vztmpl/A.TAR.ZST"})
        EXPECT_EQ(parse_dir_volname(name).kind, VolumeKind::vztmpl) << name;

    auto backup = parse_dir_volname("backup/vzdump-lxc-100-2024_01_02-03_04_05.tar.zst");
    EXPECT_EQ(backup.kind, VolumeKind::backup);
    EXPECT_EQ(backup.owner_vmid, 100);
    for (std::string_view name : {"backup/x.tgz", "backup/x.tar", "backup/x.vma", "backup/x.tar.gz", "backup/x.vma.lzo",
                                  "backup/x.tar.bz2", "backup/x.vma.zst"})
        EXPECT_EQ(parse_dir_volname(name).kind, VolumeKind::backup) << name;
    EXPECT_EQ(parse_dir_volname("backup/x.tar").owner_vmid, std::nullopt);
    EXPECT_EQ(parse_dir_volname("backup/vzdump-qemu-7-x.vma").owner_vmid, 7);

    EXPECT_EQ(parse_dir_volname("iso/debian.iso").kind, VolumeKind::iso);
    EXPECT_EQ(parse_dir_volname("snippets/hook.pl").kind, VolumeKind::snippets);
    EXPECT_EQ(parse_dir_volname("import/disk.ova").kind, VolumeKind::import);
    EXPECT_EQ(content_type_of(VolumeKind::image), "images");
    EXPECT_EQ(content_type_of(VolumeKind::vztmpl), "vztmpl");
    EXPECT_EQ(to_string(ImageFormat::subvol), "subvol");
}

TEST(VolumeIdDirVolname, AnythingElseFails) {
    for (std::string bad : {"", "100", "100/", "100/disk.raw", "100/vm-100-disk-0.img", "100/vm-100-disk-0",
                            "100/vm-x-disk-0.raw", "100/vm-100.raw", "100/vm-100-.raw", "abc/vm-100-disk-0.raw",
                            "100/sub/vm-100-disk-0.raw", "100/vm-100 disk.raw", "vztmpl/a.zip", "vztmpl/.tar",
                            "vztmpl/a/b.tar", "backup/x.tar.xz", "backup/x.zip", "iso/", "images/x", "rootdir/100",
                            "100/foo.raw/105/vm-105-disk-0.raw", "x/base-100-disk-0.raw/105/vm-105-disk-0.raw",
                            "99999999999/vm-1-disk-0.raw"}) {
        EXPECT_EQ(user_error_of([&] { parse_dir_volname(bad); }),
                  "unable to parse directory volume name '" + bad + "'")
            << bad;
    }
}

// ---- image naming ---------------------------------------------------------------

TEST(VolumeIdImageName, RawAndSubvol) {
    EXPECT_EQ(image_volname(100, 0, false), "100/vm-100-disk-0.raw");
    EXPECT_EQ(image_volname(100, 3, true), "100/subvol-100-disk-3.subvol");
}

TEST(VolumeIdImageName, LowestFreeIndex) {
    EXPECT_EQ(lowest_free_disk_index({}, 100), 0);
    EXPECT_EQ(lowest_free_disk_index({"vm-100-disk-0.raw", "subvol-100-disk-1.subvol", "vm-100-disk-3.raw"}, 100),
              2);
    // every prefix counts, in volume names and paths alike
    EXPECT_EQ(lowest_free_disk_index({"100/base-100-disk-0.raw", "/var/lib/vz/images/100/basevol-100-disk-1",
                                      "vm-100-disk-2@snap"},
                                     100),
              3);
    // other guests' disks and other names do not
    EXPECT_EQ(lowest_free_disk_index({"vm-1000-disk-0.raw", "vm-10-disk-0.raw", "vm-100-cloudinit.raw",
                                      "disk-100-disk-0.raw", "vm-100-disk-x"},
                                     100),
              0);
    EXPECT_EQ(lowest_free_disk_index({"vm-100-disk-99999999999999999999999.raw"}, 100), 0);
}

TEST(VolumeIdImageName, AllIndexesTaken) {
    std::vector<std::string> names;
    for (int i = 0; i < 1024; ++i) names.push_back("vm-100-disk-" + std::to_string(i) + ".raw");
    EXPECT_EQ(user_error_of([&] { lowest_free_disk_index(names, 100, "local"); }),
              "unable to allocate an image name for VM 100 in storage 'local'");
    names.pop_back();
    EXPECT_EQ(lowest_free_disk_index(names, 100), 1023);
}

// ---- new-disk requests ------------------------------------------------------------

TEST(VolumeIdNewDisk, RecognisesStorageColonSize) {
    EXPECT_EQ(parse_new_disk_request("local:8"), (NewDiskRequest{"local", 8ull * 1024 * 1024}));
    EXPECT_EQ(parse_new_disk_request("local:0"), (NewDiskRequest{"local", 0}));
    EXPECT_EQ(parse_new_disk_request("local:0.5"), (NewDiskRequest{"local", 524288}));
    EXPECT_EQ(parse_new_disk_request("fast-store:1.5"), (NewDiskRequest{"fast-store", 1572864}));
    // any non-blank storage text qualifies; it is checked against storage.cfg later
    EXPECT_EQ(parse_new_disk_request("1weird:2"), (NewDiskRequest{"1weird", 2097152}));
}

TEST(VolumeIdNewDisk, SizeIsTruncatedToWholeMiB) {
    // int(GiB * 1024) * 1024
    EXPECT_EQ(parse_new_disk_request("local:0.1")->size_kib, 102u * 1024);
    EXPECT_EQ(parse_new_disk_request("local:0.3")->size_kib, 307u * 1024);
    EXPECT_EQ(parse_new_disk_request("local:0.0009")->size_kib, 0u);
    EXPECT_EQ(parse_new_disk_request("local:0.0009765625")->size_kib, 1024u);
    EXPECT_EQ(parse_new_disk_request("local:0.00097656249999999999999999")->size_kib, 0u);
    EXPECT_EQ(parse_new_disk_request("local:2.999999999999999999999999")->size_kib, 3071u * 1024);
    EXPECT_EQ(parse_new_disk_request("local:007")->size_kib, 7u * 1024 * 1024);
}

TEST(VolumeIdNewDisk, OtherValuesAreNotRequests) {
    for (std::string_view value : {"local:100/vm-100-disk-0.raw", "8", "local:", ":8", "local:8G", "local:-1",
                                   "local:.5", "local:5.", "lo cal:8", "local:8 ", "/mnt/data", "a:b:8", "local:1e3"})
        EXPECT_EQ(parse_new_disk_request(value), std::nullopt) << value;
}

TEST(VolumeIdNewDisk, HugeSizesFail) {
    EXPECT_THROW(parse_new_disk_request("local:99999999999999999999"), UserError);
    EXPECT_THROW(parse_new_disk_request("local:17592186044416"), UserError);  // 2^44 GiB = 2^64 KiB
    EXPECT_EQ(parse_new_disk_request("local:17592186044415")->size_kib, 17592186044415ull * 1024 * 1024);
}

// ---- mount point kinds and paths ----------------------------------------------------

TEST(VolumeIdMountPoint, Classification) {
    EXPECT_EQ(classify_mount_point("/dev/sdb1"), MountPointType::device);
    EXPECT_EQ(classify_mount_point("/dev/mapper/vg-lv"), MountPointType::device);
    EXPECT_EQ(classify_mount_point("/mnt/data"), MountPointType::bind);
    EXPECT_EQ(classify_mount_point("/dev"), MountPointType::bind);
    EXPECT_EQ(classify_mount_point("/devices"), MountPointType::bind);
    EXPECT_EQ(classify_mount_point("local:100/vm-100-disk-0.raw"), MountPointType::volume);
    EXPECT_EQ(classify_mount_point("local:8"), MountPointType::volume);
    EXPECT_EQ(to_string(MountPointType::bind), "bind");
}

TEST(VolumeIdMountPoint, IllegalSequences) {
    for (std::string bad : {"/mnt/./data", "/mnt/../etc", "/mnt/.", "/mnt/..", "../etc", "/..", "/."}) {
        EXPECT_TRUE(has_illegal_path_sequences(bad)) << bad;
        EXPECT_EQ(user_error_of([&] { check_mount_path_sequences(bad); }),
                  bad + " contains illegal character sequences");
    }
    for (std::string_view good : {"/mnt/data", "/mnt/.hidden", "/mnt/..data", "/mnt/data.", "./x", "..", "a/..b",
                                  "local:100/vm-100-disk-0.raw", "/"}) {
        EXPECT_FALSE(has_illegal_path_sequences(good)) << good;
        EXPECT_NO_THROW(check_mount_path_sequences(good));
    }
}

// ---- disk sizes ---------------------------------------------------------------------

TEST(DiskSize, Parse) {
    EXPECT_EQ(parse_disk_size("0"), 0u);
    EXPECT_EQ(parse_disk_size("512"), 512u);
    EXPECT_EQ(parse_disk_size("8G"), 8589934592u);
    EXPECT_EQ(parse_disk_size("8GiB"), 8589934592u);
    EXPECT_EQ(parse_disk_size("1536K"), 1572864u);
    EXPECT_EQ(parse_disk_size("1.5M"), 1572864u);
    EXPECT_EQ(parse_disk_size("2T"), 2199023255552u);
    EXPECT_EQ(parse_disk_size("1TiB"), 1099511627776u);
    EXPECT_EQ(parse_disk_size("0.5K"), 512u);
    EXPECT_EQ(parse_disk_size("0.3K"), 307u);       // truncated
    EXPECT_EQ(parse_disk_size("10.9"), 10u);        // bytes, truncated
    EXPECT_EQ(parse_disk_size("0.1G"), 107374182u);  // 107374182.4
    EXPECT_EQ(parse_disk_size("15999999T"), 15999999ull << 40);
}

TEST(DiskSize, ParseErrors) {
    for (std::string bad : {"", "G", "1g", "1 G", "1GB", "1iB", "1Gi", "-1", "1.G", ".5G", "1.5.1G", "1P", "0x10",
                            " 1G", "1G "}) {
        EXPECT_EQ(user_error_of([&] { parse_disk_size(bad); }), "value does not look like a valid disk size: " + bad)
            << bad;
    }
    EXPECT_EQ(user_error_of([] { parse_disk_size("16777216T"); }), "disk size '16777216T' is too large");
    EXPECT_EQ(user_error_of([] { parse_disk_size("99999999999999999999"); }),
              "disk size '99999999999999999999' is too large");
    EXPECT_EQ(parse_disk_size("18446744073709551615"), 18446744073709551615ull);
}

TEST(DiskSize, Format) {
    EXPECT_EQ(format_disk_size(8589934592), "8G");
    EXPECT_EQ(format_disk_size(1572864), "1536K");
    EXPECT_EQ(format_disk_size(1000), "1000");
    EXPECT_EQ(format_disk_size(1024), "1K");
    EXPECT_EQ(format_disk_size(3145728), "3M");
    EXPECT_EQ(format_disk_size(1099511627776), "1T");
    EXPECT_EQ(format_disk_size(3ull << 40 | 1ull << 30), "3073G");
    EXPECT_EQ(format_disk_size(0), "0T");
}

TEST(DiskSize, RoundTrip) {
    for (std::string_view text : {"4G", "1536K", "100M", "2T", "1023"})
        EXPECT_EQ(format_disk_size(parse_disk_size(text)), text);
}

}  // namespace
}  // namespace pct
