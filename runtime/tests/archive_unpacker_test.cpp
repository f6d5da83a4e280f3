// Runs as root: owners, device exclusion and security.capability need it.
#include "runtime/archive_unpacker.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/error.h"
#include "runtime/libarchive.h"

namespace pct {
namespace {

namespace fs = std::filesystem;

struct TestEntry {
    std::string path;
    mode_t type = AE_IFREG;
    std::string content;  // file data, symlink target or hard link target
    mode_t mode = 0644;
    int64_t uid = 0;
    int64_t gid = 0;
    time_t mtime = 1700000000;
    std::vector<std::pair<std::string, std::string>> xattrs;
    std::function<void(archive_entry*)> customize;  // ACLs, sparse maps...
};

// Writes a tar (pax) archive with the given filter, as a template builder would.
void write_archive(const std::string& path, const std::vector<TestEntry>& entries,
                   int (*add_filter)(archive*) = nullptr) {
    archive* writer = archive_write_new();
    archive_write_set_format_pax_restricted(writer);
    if (add_filter) {
        ASSERT_EQ(add_filter(writer), ARCHIVE_OK) << archive_error_string(writer);
    }
    ASSERT_EQ(archive_write_open_filename(writer, path.c_str()), ARCHIVE_OK) << archive_error_string(writer);
    for (const auto& spec : entries) {
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, spec.path.c_str());
        archive_entry_set_filetype(entry, spec.type);
        archive_entry_set_perm(entry, spec.mode);
        archive_entry_set_uid(entry, spec.uid);
        archive_entry_set_gid(entry, spec.gid);
        archive_entry_set_mtime(entry, spec.mtime, 0);
        if (spec.type == AE_IFLNK) archive_entry_set_symlink(entry, spec.content.c_str());
        if (spec.type == 0) {  // hard link
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_hardlink(entry, spec.content.c_str());
        }
        if (spec.type == AE_IFREG) archive_entry_set_size(entry, static_cast<la_int64_t>(spec.content.size()));
        for (const auto& [name, value] : spec.xattrs)
            archive_entry_xattr_add_entry(entry, name.c_str(), value.data(), value.size());
        if (spec.customize) spec.customize(entry);
        ASSERT_EQ(archive_write_header(writer, entry), ARCHIVE_OK) << archive_error_string(writer);
        if (spec.type == AE_IFREG && !spec.content.empty())
            archive_write_data(writer, spec.content.data(), spec.content.size());
        archive_entry_free(entry);
    }
    ASSERT_EQ(archive_write_close(writer), ARCHIVE_OK);
    archive_write_free(writer);
}

std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

struct stat lstat_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st;
}

std::string user_error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const UserError& e) {
        return e.what();
    }
    return "<no error>";
}

class ArchiveUnpackerTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/pct-unpack-test.XXXXXX";
        dir_ = ::mkdtemp(pattern);
        target_ = dir_ + "/rootfs";
        decoy_ = dir_ + "/decoy";
        fs::create_directory(target_);
        fs::create_directory(decoy_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    UnpackResult unpack(const std::string& archive, std::vector<IdMapEntry> idmap = {}, bool ignore_errors = false) {
        return ArchiveUnpacker().unpack(
            {.archive = archive, .target = target_, .idmap = std::move(idmap), .ignore_errors = ignore_errors});
    }

    std::string dir_, target_, decoy_;
};

TEST_F(ArchiveUnpackerTest, KeepsModesOwnersTimesAndLinks) {
    std::string archive = dir_ + "/t.tar";
    write_archive(archive, {{.path = "./", .type = AE_IFDIR, .mode = 0755},
                            {.path = "./etc/", .type = AE_IFDIR, .mode = 0750, .uid = 5, .gid = 6},
                            {.path = "./etc/passwd", .content = "root:x:0:0::/root:/bin/sh\n", .mode = 0640,
                             .uid = 0, .gid = 42, .mtime = 1234567890},
                            {.path = "./usr/bin/su", .content = "suid", .mode = 04755},
                            {.path = "./tmp/", .type = AE_IFDIR, .mode = 01777},
                            {.path = "./bin", .type = AE_IFLNK, .content = "usr/bin", .uid = 7, .gid = 8},
                            {.path = "./etc/passwd-hard", .type = 0, .content = "./etc/passwd"}});
    UnpackResult result = unpack(archive);
    EXPECT_TRUE(result.warnings.empty());
    EXPECT_EQ(result.entries, 7u);
    EXPECT_EQ(result.bytes, 30u);

    EXPECT_EQ(read_file(target_ + "/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
    auto passwd = lstat_of(target_ + "/etc/passwd");
    EXPECT_EQ(passwd.st_mode & 07777, 0640u);
    EXPECT_EQ(passwd.st_gid, 42u);
    EXPECT_EQ(passwd.st_mtime, 1234567890);
    EXPECT_EQ(passwd.st_nlink, 2u);
    EXPECT_EQ(lstat_of(target_ + "/etc/passwd-hard").st_ino, passwd.st_ino);
    auto etc = lstat_of(target_ + "/etc");
    EXPECT_EQ(etc.st_mode & 07777, 0750u);
    EXPECT_EQ(etc.st_uid, 5u);
    EXPECT_EQ(etc.st_gid, 6u);
    EXPECT_EQ(lstat_of(target_ + "/usr/bin/su").st_mode & 07777, 04755u);
    EXPECT_EQ(lstat_of(target_ + "/tmp").st_mode & 07777, 01777u);
    auto bin = lstat_of(target_ + "/bin");
    EXPECT_TRUE(S_ISLNK(bin.st_mode));
    EXPECT_EQ(bin.st_uid, 7u);
    EXPECT_EQ(fs::read_symlink(target_ + "/bin"), "usr/bin");
}

TEST_F(ArchiveUnpackerTest, RestoresTheWorkingDirectory) {
    std::string archive = dir_ + "/t.tar";
    write_archive(archive, {{.path = "./a", .content = "a"}});
    auto before = fs::current_path();
    unpack(archive);
    EXPECT_EQ(fs::current_path(), before);
    EXPECT_THROW(unpack(dir_ + "/missing.tar"), UserError);
    EXPECT_EQ(fs::current_path(), before);
}

TEST_F(ArchiveUnpackerTest, ShiftsOwnersForUnprivilegedContainers) {
    std::string archive = dir_ + "/t.tar.gz";
    write_archive(archive,
                  {{.path = "./", .type = AE_IFDIR},
                   {.path = "./root/", .type = AE_IFDIR, .mode = 0700},
                   {.path = "./home/user/", .type = AE_IFDIR, .uid = 1000, .gid = 1000},
                   {.path = "./home/user/file", .content = "x", .uid = 1000, .gid = 100},
                   {.path = "./var/mail", .content = "m", .mode = 02775, .uid = 0, .gid = 8},
                   {.path = "./nobody", .content = "n", .uid = 65534, .gid = 65534},
                   {.path = "./link", .type = AE_IFLNK, .content = "/root", .uid = 3, .gid = 4}},
                  archive_write_add_filter_gzip);
    ::chown(target_.c_str(), 100000, 100000);  // as the storage leaves a new rootfs
    UnpackResult result = unpack(archive, default_unprivileged_idmap());
    EXPECT_TRUE(result.warnings.empty());

    auto owner = [&](const std::string& path) {
        auto st = lstat_of(target_ + path);
        return std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
    };
    EXPECT_EQ(owner("/root"), "100000:100000");
    EXPECT_EQ(owner("/home/user"), "101000:101000");
    EXPECT_EQ(owner("/home/user/file"), "101000:100100");
    EXPECT_EQ(owner("/var/mail"), "100000:100008");
    EXPECT_EQ(lstat_of(target_ + "/var/mail").st_mode & 07777, 02775u);
    EXPECT_EQ(owner("/nobody"), "165534:165534");
    EXPECT_EQ(owner("/link"), "100003:100004");
    // Parent directories libarchive made on its own belong to the container too.
    EXPECT_EQ(owner("/var"), "100000:100000");
    for (const auto& entry : fs::recursive_directory_iterator(target_)) {
        auto st = lstat_of(entry.path());
        EXPECT_GE(st.st_uid, 100000u) << entry.path();
        EXPECT_GE(st.st_gid, 100000u) << entry.path();
    }
}

TEST_F(ArchiveUnpackerTest, UnmappedOwnersFailUnlessErrorsAreIgnored) {
    std::string archive = dir_ + "/t.tar";
    write_archive(archive, {{.path = "./ok", .content = "1"},
                            {.path = "./far", .content = "2", .uid = 70000},
                            {.path = "./after", .content = "3", .gid = 1}});
    EXPECT_EQ(user_error_of([&] { unpack(archive, default_unprivileged_idmap()); }),
              "unable to extract template archive - './far': uid 70000 is not mapped");

    fs::remove_all(target_);
    fs::create_directory(target_);
    UnpackResult result = unpack(archive, default_unprivileged_idmap(), true);
    ASSERT_EQ(result.warnings.size(), 1u);
    EXPECT_EQ(result.warnings[0], "'./far': uid 70000 is not mapped");
    EXPECT_FALSE(fs::exists(target_ + "/far"));
    EXPECT_EQ(lstat_of(target_ + "/after").st_gid, 100001u);
}

TEST_F(ArchiveUnpackerTest, LeavesDevContentsOut) {
    std::string archive = dir_ + "/t.tar";
    write_archive(archive, {{.path = "./dev/", .type = AE_IFDIR, .mode = 0755},
                            {.path = "./dev/null", .type = AE_IFCHR, .mode = 0666},
                            {.path = "./dev/pts/", .type = AE_IFDIR},
                            {.path = "dev/console", .content = "not a device"},
                            {.path = ".//dev/x", .content = "x"},
                            {.path = "./devices/keep", .content = "k"}});
    unpack(archive);
    EXPECT_TRUE(fs::is_directory(target_ + "/dev"));
    EXPECT_TRUE(fs::is_empty(target_ + "/dev"));
    EXPECT_EQ(read_file(target_ + "/devices/keep"), "k");
}

TEST_F(ArchiveUnpackerTest, KeepsExistingFiles) {
    std::string archive = dir_ + "/t.tar";
    write_archive(archive, {{.path = "./etc/hostname", .content = "from-template\n"},
                            {.path = "./etc/new", .content = "new\n"}});
    fs::create_directory(target_ + "/etc");
    std::ofstream(target_ + "/etc/hostname") << "existing\n";
    unpack(archive);
    EXPECT_EQ(read_file(target_ + "/etc/hostname"), "existing\n");
    EXPECT_EQ(read_file(target_ + "/etc/new"), "new\n");
}

TEST_F(ArchiveUnpackerTest, NothingEscapesTheTarget) {
    std::ofstream(decoy_ + "/secret") << "host secret\n";
    std::string archive = dir_ + "/evil.tar";
    write_archive(archive, {{.path = "../escape", .content = "dotdot"},
                            {.path = "./a/../../escape2", .content = "dotdot"},
                            {.path = decoy_ + "/absolute", .content = "absolute"},
                            {.path = "./link", .type = AE_IFLNK, .content = decoy_},
                            {.path = "./link/file", .content = "through a symlink"},
                            {.path = "./link/sub/deeper", .content = "through a symlink"},
                            {.path = "./hard-dotdot", .type = 0, .content = "../decoy/secret"},
                            {.path = "./hard-absolute", .type = 0, .content = decoy_ + "/secret"},
                            {.path = "./hard-through-link", .type = 0, .content = "./link/secret"},
                            {.path = "./relative-link", .type = AE_IFLNK, .content = "../decoy"},
                            {.path = "./relative-link/file", .content = "through a symlink"},
                            {.path = "./fine", .content = "fine"}});
    UnpackResult result = unpack(archive, {}, true);

    // Every entry but the symlinks and ./fine is refused.
    ASSERT_EQ(result.warnings.size(), 9u);
    EXPECT_EQ(result.warnings[0], "'../escape': Path contains '..'");
    EXPECT_EQ(result.warnings[2], "'" + decoy_ + "/absolute': Path is absolute");
    EXPECT_EQ(result.warnings[3], "'./link/file': Cannot extract through symlink link/file");
    EXPECT_EQ(result.warnings[6], "'./hard-absolute': Path is absolute");
    EXPECT_EQ(result.warnings[7], "'./hard-through-link': Cannot extract through symlink link/secret");
    EXPECT_FALSE(fs::exists(dir_ + "/escape"));
    EXPECT_FALSE(fs::exists(dir_ + "/escape2"));
    // The decoy directory holds exactly what it held before.
    std::vector<std::string> decoy_files;
    for (const auto& entry : fs::recursive_directory_iterator(decoy_)) decoy_files.push_back(entry.path().filename());
    EXPECT_EQ(decoy_files, std::vector<std::string>{"secret"});
    EXPECT_EQ(lstat_of(decoy_ + "/secret").st_nlink, 1u);
    EXPECT_EQ(read_file(decoy_ + "/secret"), "host secret\n");
    // Symlinks themselves are fine, they only must not be followed.
    EXPECT_TRUE(fs::is_symlink(target_ + "/link"));
    EXPECT_EQ(read_file(target_ + "/fine"), "fine");
}

TEST_F(ArchiveUnpackerTest, AnEscapeAttemptStopsTheExtraction) {
    std::string archive = dir_ + "/evil.tar";
    write_archive(archive, {{.path = "./link", .type = AE_IFLNK, .content = decoy_},
                            {.path = "./link/file", .content = "through a symlink"}});
    std::string error = user_error_of([&] { unpack(archive); });
    EXPECT_TRUE(error.starts_with("unable to extract template archive - './link/file': ")) << error;
    EXPECT_TRUE(fs::is_empty(decoy_));
}

TEST_F(ArchiveUnpackerTest, StopsPromptlyInTheMiddleOfACompressedArchive) {
    // The decompressing thread is still busy when the extraction gives up.
    std::string archive = dir_ + "/stop.tar.zst";
    std::vector<TestEntry> entries = {{.path = "../escape", .content = "x"}};
    for (int i = 0; i < 40; ++i)
        entries.push_back({.path = "./f" + std::to_string(i), .content = std::string(1 << 20, 'a' + i % 26)});
    write_archive(archive, entries, archive_write_add_filter_zstd);
    EXPECT_EQ(user_error_of([&] { unpack(archive); }),
              "unable to extract template archive - '../escape': Path contains '..'");
    EXPECT_TRUE(fs::is_empty(target_));
}

struct Compression {
    const char* suffix;
    int (*add_filter)(archive*);
};

class ArchiveUnpackerCompressionTest : public ArchiveUnpackerTest, public ::testing::WithParamInterface<Compression> {};

TEST_P(ArchiveUnpackerCompressionTest, UnpacksEachCompression) {
    auto [suffix, add_filter] = GetParam();
    std::string archive = dir_ + "/template" + suffix;
    std::string big(300000, 'z');
    write_archive(archive, {{.path = "./sbin/init", .content = "#!/bin/sh\n", .mode = 0755},
                            {.path = "./big", .content = big}},
                  add_filter);
    UnpackResult result = unpack(archive);
    EXPECT_EQ(read_file(target_ + "/sbin/init"), "#!/bin/sh\n");
    EXPECT_EQ(read_file(target_ + "/big"), big);
    EXPECT_EQ(result.bytes, big.size() + 10);
}

INSTANTIATE_TEST_SUITE_P(ArchiveUnpacker, ArchiveUnpackerCompressionTest,
                         ::testing::Values(Compression{".tar", nullptr},
                                           Compression{".tar.gz", archive_write_add_filter_gzip},
                                           Compression{".tar.bz2", archive_write_add_filter_bzip2},
                                           Compression{".tar.xz", archive_write_add_filter_xz},
                                           Compression{".tar.zst", archive_write_add_filter_zstd}),
                         // Readable test names ("tar_gz") instead of the parameter's bytes.
                         [](const ::testing::TestParamInfo<Compression>& info) {
                             std::string name = info.param.suffix + 1;
                             std::replace(name.begin(), name.end(), '.', '_');
                             return name;
                         });

TEST_F(ArchiveUnpackerTest, ChoosesTheCompressionBySuffix) {
    EXPECT_EQ(archive_compression_of("/x/debian.tar"), ArchiveCompression::none);
    EXPECT_EQ(archive_compression_of("/x/debian.tar.gz"), ArchiveCompression::gzip);
    EXPECT_EQ(archive_compression_of("/x/debian.tar.bz2"), ArchiveCompression::bzip2);
    EXPECT_EQ(archive_compression_of("/x/debian.tar.xz"), ArchiveCompression::xz);
    EXPECT_EQ(archive_compression_of("/x/debian.tar.lzo"), ArchiveCompression::lzop);
    EXPECT_EQ(archive_compression_of("/x/debian.tar.zst"), ArchiveCompression::zstd);
    EXPECT_EQ(archive_compression_of("/x.tar.d/debian.tar.zst"), ArchiveCompression::zstd);
    EXPECT_EQ(user_error_of([] { archive_compression_of("/x/debian.tar.7z"); }),
              "unrecognized compression format: .7z");
    EXPECT_EQ(user_error_of([] { archive_compression_of("/x.tar/debian.tgz"); }),
              "file does not look like a template archive: /x.tar/debian.tgz");
    EXPECT_EQ(user_error_of([] { archive_compression_of("/x/debian.tarball"); }),
              "file does not look like a template archive: /x/debian.tarball");
}

TEST_F(ArchiveUnpackerTest, BadArchivesFailClearly) {
    std::string garbage = dir_ + "/garbage.tar.gz";
    std::ofstream(garbage) << "this is not an archive at all, not even gzip";
    EXPECT_EQ(user_error_of([&] { unpack(garbage); }),
              "unable to read template archive '" + garbage + "': Unrecognized archive format");

    std::string good = dir_ + "/good.tar.zst";
    write_archive(good, {{.path = "./big", .content = std::string(1 << 20, 'q')}}, archive_write_add_filter_zstd);
    std::string truncated = dir_ + "/truncated.tar.zst";
    std::string bytes = read_file(good);
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    std::string error = user_error_of([&] { unpack(truncated); });
    EXPECT_TRUE(error.starts_with("unable to read template archive '" + truncated + "': ")) << error;

    EXPECT_EQ(user_error_of([&] { unpack(dir_ + "/missing.tar"); }),
              "unable to open template archive '" + dir_ + "/missing.tar': No such file or directory");
    EXPECT_EQ(user_error_of([&] { unpack(dir_ + "/x.zip"); }),
              "file does not look like a template archive: " + dir_ + "/x.zip");
}

TEST_F(ArchiveUnpackerTest, KeepsSparseFilesSparse) {
    std::string archive = dir_ + "/sparse.tar";
    const int64_t size = 16 << 20;
    // The pax writer takes the whole logical content and drops what falls
    // into holes of the entry's sparse map.
    std::string logical(size, '\0');
    logical.replace(0, 4096, std::string(4096, 'd'));
    logical.replace(size - 4096, 4096, std::string(4096, 'e'));
    write_archive(archive, {{.path = "./sparse", .content = logical, .customize = [&](archive_entry* entry) {
                                 archive_entry_sparse_add_entry(entry, 0, 4096);
                                 archive_entry_sparse_add_entry(entry, size - 4096, 4096);
                             }}});
    EXPECT_LT(fs::file_size(archive), 1u << 20);
    unpack(archive);
    auto st = lstat_of(target_ + "/sparse");
    EXPECT_EQ(st.st_size, size);
    EXPECT_LT(st.st_blocks * 512, 1 << 20);
    EXPECT_TRUE(read_file(target_ + "/sparse") == logical);
}

std::string xattr_of(const std::string& path, const char* name) {
    char buffer[256];
    ssize_t size = ::lgetxattr(path.c_str(), name, buffer, sizeof buffer);
    return size < 0 ? "<none>" : std::string(buffer, static_cast<size_t>(size));
}

// Revision 2 with the effective flag: magic_etc, then permitted and
// inheritable for both 32-bit halves (little endian, as on x86 and arm64).
std::string capability_v2(uint32_t permitted) {
    uint32_t words[5] = {0x02000001u, permitted, 0, 0, 0};
    return std::string(reinterpret_cast<const char*>(words), sizeof words);
}

TEST_F(ArchiveUnpackerTest, RestoresOnlyUserXattrsAndFileCapabilities) {
    std::string archive = dir_ + "/x.tar";
    std::string cap = capability_v2(1u << 13);  // cap_net_raw
    write_archive(archive, {{.path = "./ping",
                             .content = "elf",
                             .mode = 0755,
                             .xattrs = {{"user.note", "kept"}, {"trusted.evil", "dropped"},
                                        {"security.capability", cap}}}});
    unpack(archive);
    EXPECT_EQ(xattr_of(target_ + "/ping", "user.note"), "kept");
    EXPECT_EQ(xattr_of(target_ + "/ping", "trusted.evil"), "<none>");
    EXPECT_EQ(xattr_of(target_ + "/ping", "security.capability"), cap);
}

TEST_F(ArchiveUnpackerTest, FileCapabilitiesBelongToTheContainerRoot) {
    std::string archive = dir_ + "/x.tar";
    write_archive(archive, {{.path = "./ping", .content = "elf", .mode = 0755,
                             .xattrs = {{"security.capability", capability_v2(1u << 13)}}}});
    unpack(archive, default_unprivileged_idmap());
    std::string stored = xattr_of(target_ + "/ping", "security.capability");
    ASSERT_EQ(stored.size(), 24u);  // revision 3: with the namespace root uid
    uint32_t magic = 0, permitted = 0, rootid = 0;
    std::memcpy(&magic, stored.data(), 4);
    std::memcpy(&permitted, stored.data() + 4, 4);
    std::memcpy(&rootid, stored.data() + 20, 4);
    EXPECT_EQ(magic, 0x03000001u);
    EXPECT_EQ(permitted, 1u << 13);
    EXPECT_EQ(rootid, 100000u);
}

// Named-user entries of the POSIX access ACL, read from the raw xattr.
std::vector<uint32_t> acl_named_users(const std::string& path) {
    char buffer[256];
    ssize_t size = ::lgetxattr(path.c_str(), "system.posix_acl_access", buffer, sizeof buffer);
    std::vector<uint32_t> users;
    for (ssize_t offset = 4; offset + 8 <= size; offset += 8) {
        uint16_t tag = 0;
        uint32_t id = 0;
        std::memcpy(&tag, buffer + offset, 2);
        std::memcpy(&id, buffer + offset + 4, 4);
        if (tag == 0x02) users.push_back(id);  // ACL_USER
    }
    return users;
}

TEST_F(ArchiveUnpackerTest, ShiftsNamedUsersInAcls) {
    std::string archive = dir_ + "/acl.tar";
    auto add_acl = [](archive_entry* entry) {
        archive_entry_acl_add_entry(entry, ARCHIVE_ENTRY_ACL_TYPE_ACCESS, ARCHIVE_ENTRY_ACL_READ,
                                    ARCHIVE_ENTRY_ACL_USER, 1000, nullptr);
        archive_entry_acl_add_entry(entry, ARCHIVE_ENTRY_ACL_TYPE_ACCESS, ARCHIVE_ENTRY_ACL_READ,
                                    ARCHIVE_ENTRY_ACL_MASK, -1, nullptr);
    };
    write_archive(archive, {{.path = "./shared", .content = "s", .customize = add_acl}});
    unpack(archive);
    EXPECT_EQ(acl_named_users(target_ + "/shared"), std::vector<uint32_t>{1000});

    fs::remove_all(target_);
    fs::create_directory(target_);
    unpack(archive, default_unprivileged_idmap());
    EXPECT_EQ(acl_named_users(target_ + "/shared"), std::vector<uint32_t>{101000});
}

}  // namespace
}  // namespace pct
