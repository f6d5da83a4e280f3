// Runs as root: packing keeps owners, and the busybox template is booted
// far enough (chroot + /bin/sh) to show it works.
#include "runtime/template_builder.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "core/error.h"
#include "runtime/archive_unpacker.h"
#include "runtime/libarchive.h"

namespace pct {
namespace {

namespace fs = std::filesystem;

std::string user_error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const UserError& e) {
        return e.what();
    }
    return "<no error>";
}

struct Listed {
    mode_t type = 0;
    mode_t perm = 0;
    int64_t uid = -1;
    int64_t gid = -1;
    std::string link;
};

std::map<std::string, Listed> list_archive(const std::string& path) {
    std::map<std::string, Listed> listed;
    archive* reader = archive_read_new();
    archive_read_support_format_tar(reader);
    archive_read_support_filter_zstd(reader);
    EXPECT_EQ(archive_read_open_filename(reader, path.c_str(), 65536), ARCHIVE_OK);
    archive_entry* entry = nullptr;
    while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
        Listed item{archive_entry_filetype(entry), archive_entry_perm(entry), archive_entry_uid(entry),
                    archive_entry_gid(entry), ""};
        if (archive_entry_symlink(entry)) item.link = archive_entry_symlink(entry);
        if (archive_entry_hardlink(entry)) item.link = archive_entry_hardlink(entry);
        std::string name = archive_entry_pathname(entry);
        if (name.size() > 1 && name.back() == '/') name.pop_back();  // tar marks directories so
        listed[name] = item;
    }
    archive_read_free(reader);
    return listed;
}

class TemplateBuilderTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/pct-template-test.XXXXXX";
        dir_ = ::mkdtemp(pattern);
        cache_ = dir_ + "/template/cache";
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string dir_, cache_;
};

TEST_F(TemplateBuilderTest, BusyboxVersionComesFromTheHelpText) {
    EXPECT_EQ(busybox_version_from_help("BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\nUsage"),
              "1.35.0");
    EXPECT_EQ(busybox_version_from_help("BusyBox v1.36.1 multi-call binary."), "1.36.1");
    EXPECT_EQ(user_error_of([] { busybox_version_from_help("Toybox 0.8"); }),
              "unable to find the busybox version in 'Toybox 0.8'");
}

TEST_F(TemplateBuilderTest, BusyboxTemplateIsASmallWorkingSystem) {
    if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "busybox-static is not installed";
    BuiltTemplate built = build_busybox_template(cache_);
    EXPECT_TRUE(built.file_name.starts_with("busybox-")) << built.file_name;
    EXPECT_TRUE(built.file_name.ends_with("-1_amd64.tar.zst") || built.file_name.ends_with("-1_arm64.tar.zst"))
        << built.file_name;
    EXPECT_EQ(built.path, cache_ + "/" + built.file_name);
    // Nothing but the archive is left in the cache.
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(cache_)) files.push_back(entry.path().filename());
    EXPECT_EQ(files, std::vector<std::string>{built.file_name});

    auto listed = list_archive(built.path);
    ASSERT_TRUE(listed.count("./sbin/init"));
    EXPECT_EQ(listed["./sbin/init"].type, AE_IFLNK);
    EXPECT_EQ(listed["./sbin/init"].link, "/bin/busybox");
    EXPECT_EQ(listed["./bin/sh"].link, "/bin/busybox");
    EXPECT_EQ(listed["./bin/busybox"].type, AE_IFREG);
    EXPECT_EQ(listed["./bin/busybox"].perm, 0755u);
    EXPECT_EQ(listed["./etc/init.d/rcS"].perm, 0755u);
    EXPECT_EQ(listed["./tmp"].perm, 01777u);
    EXPECT_EQ(listed["./root"].perm, 0700u);
    EXPECT_EQ(listed["./etc/shadow"].perm, 0600u);
    for (const char* dir : {"./dev", "./proc", "./sys", "./run", "./var/log", "./etc/network"})
        EXPECT_EQ(listed[dir].type, AE_IFDIR) << dir;
    EXPECT_TRUE(listed.count("./etc/network/interfaces"));
    EXPECT_FALSE(listed.count("./etc/os-release"));
    for (const auto& [name, item] : listed) {
        EXPECT_EQ(item.uid, 0) << name;
        EXPECT_EQ(item.gid, 0) << name;
    }

    // Unpacked, its shell runs.
    std::string rootfs = dir_ + "/rootfs";
    fs::create_directory(rootfs);
    ArchiveUnpacker().unpack({.archive = built.path, .target = rootfs});
    pid_t child = ::fork();
    if (child == 0) {
        if (::chroot(rootfs.c_str()) != 0 || ::chdir("/") != 0) ::_exit(100);
        ::execl("/bin/sh", "sh", "-c", "test -x /sbin/init && grep -q '^root:' /etc/passwd && exit 7", nullptr);
        ::_exit(101);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 7);
}

TEST_F(TemplateBuilderTest, ADynamicBusyboxIsRefusedAndLeavesNothing) {
    std::string error = user_error_of([&] { build_busybox_template(cache_, "/bin/ls"); });
    EXPECT_EQ(error, "'/bin/ls' is not a static binary (install the busybox-static package)");
    EXPECT_EQ(user_error_of([&] { build_busybox_template(cache_, dir_ + "/none"); }),
              "busybox not found at '" + dir_ + "/none' (install the busybox-static package)");
    EXPECT_TRUE(!fs::exists(cache_) || fs::is_empty(cache_));
}

TEST_F(TemplateBuilderTest, PackedTreesUnpackIdentically) {
    std::string tree = dir_ + "/tree";
    fs::create_directories(tree + "/etc");
    fs::create_directories(tree + "/dev/pts");
    std::ofstream(tree + "/dev/null-file") << "no";
    std::ofstream(tree + "/etc/data") << "data";
    ::chown((tree + "/etc/data").c_str(), 1000, 1001);
    ::chmod((tree + "/etc/data").c_str(), 04750);
    fs::create_hard_link(tree + "/etc/data", tree + "/etc/data-link");
    fs::create_symlink("/etc/data", tree + "/abs-link");
    {
        std::ofstream sparse(tree + "/sparse");
        sparse << "head";
        sparse.seekp((32 << 20) - 4);
        sparse << "tail";
    }

    std::string archive_path = dir_ + "/out/tree.tar.zst";
    pack_directory_tree(tree, archive_path);
    auto listed = list_archive(archive_path);
    EXPECT_TRUE(listed.count("."));
    EXPECT_TRUE(listed.count("./dev"));
    EXPECT_FALSE(listed.count("./dev/pts"));
    EXPECT_FALSE(listed.count("./dev/null-file"));
    EXPECT_EQ(listed["./etc/data"].uid, 1000);
    EXPECT_EQ(listed["./etc/data"].gid, 1001);
    EXPECT_EQ(listed["./abs-link"].link, "/etc/data");
    // One of the two names carries the data, the other links to it.
    EXPECT_TRUE(listed["./etc/data-link"].link == "./etc/data" || listed["./etc/data"].link == "./etc/data-link");

    std::string rootfs = dir_ + "/rootfs";
    fs::create_directory(rootfs);
    ArchiveUnpacker().unpack({.archive = archive_path, .target = rootfs});
    struct stat data {}, link {}, sparse {};
    ASSERT_EQ(::lstat((rootfs + "/etc/data").c_str(), &data), 0);
    ASSERT_EQ(::lstat((rootfs + "/etc/data-link").c_str(), &link), 0);
    EXPECT_EQ(data.st_ino, link.st_ino);
    EXPECT_EQ(data.st_mode & 07777, 04750u);
    EXPECT_EQ(data.st_uid, 1000u);
    ASSERT_EQ(::lstat((rootfs + "/sparse").c_str(), &sparse), 0);
    EXPECT_EQ(sparse.st_size, 32 << 20);
    EXPECT_LT(sparse.st_blocks * 512, 1 << 20);
    std::ifstream tail(rootfs + "/sparse");
    tail.seekg((32 << 20) - 4);
    std::string end(4, '\0');
    tail.read(end.data(), 4);
    EXPECT_EQ(end, "tail");
}

TEST_F(TemplateBuilderTest, FindsTheDebianMirrorInAptSources) {
    EXPECT_EQ(debian_mirror_from_apt_sources(
                  {"# comment\ndeb http://security.debian.org/debian-security bookworm-security main\n"
                   "deb-src http://src.example/debian bookworm main\n"
                   "deb [arch=amd64 signed-by=/k.gpg] http://ftp.de.debian.org/debian/ bookworm main contrib\n"},
                  {}),
              "http://ftp.de.debian.org/debian");
    EXPECT_EQ(debian_mirror_from_apt_sources(
                  {""}, {"Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\n\n"
                         "Types: deb\n# http://snapshot.debian.org/archive/debian/20250520T000000Z\n"
                         "URIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n"}),
              "http://deb.debian.org/debian");
    EXPECT_EQ(
        debian_mirror_from_apt_sources({}, {"Types: deb\nEnabled: no\nURIs: http://a/debian\nSuites: bookworm\n"}), "");
    EXPECT_EQ(debian_mirror_from_apt_sources({"deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n"},
                                             {}),
              "");
}

}  // namespace
}  // namespace pct
