// LinuxGuestFs must keep every access inside the container root, whatever
// symlinks the guest contains: a decoy file on the host must never change.
#include "runtime/linux_guest_fs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pct {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDecoyText = "host decoy - must never change\n";

class LinuxGuestFsTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/pct-guest-fs-test.XXXXXX";
        top_ = ::mkdtemp(pattern);
        root_ = top_ / "root";
        fs::create_directories(root_ / "etc");
        // Where "../../decoy" from <root>/etc lands when resolved on the host.
        write_host_file(top_ / "decoy", kDecoyText);
    }
    void TearDown() override { fs::remove_all(top_); }

    static void write_host_file(const fs::path& path, const std::string& content) {
        std::ofstream file(path, std::ios::binary);
        file << content;
    }
    static std::string read_host_file(const fs::path& path) {
        std::ifstream file(path, std::ios::binary);
        std::ostringstream content;
        content << file.rdbuf();
        return content.str();
    }
    void expect_decoy_untouched() const {
        EXPECT_FALSE(fs::is_symlink(top_ / "decoy"));
        EXPECT_EQ(read_host_file(top_ / "decoy"), kDecoyText);
    }

    fs::path top_;
    fs::path root_;
};

TEST_F(LinuxGuestFsTest, RelativeEscapingSymlinkIsReplacedInsideTheRoot) {
    fs::create_symlink("../../decoy", root_ / "etc/hosts");
    LinuxGuestFs guest(root_, std::nullopt);
    EXPECT_FALSE(guest.stat("/etc/hosts"));  // dangling inside the root
    EXPECT_THROW(guest.read("/etc/hosts"), GuestFsError);
    guest.write("/etc/hosts", "127.0.0.1 localhost\n", 0644);
    EXPECT_FALSE(fs::is_symlink(root_ / "etc/hosts"));
    EXPECT_EQ(read_host_file(root_ / "etc/hosts"), "127.0.0.1 localhost\n");
    expect_decoy_untouched();
}

TEST_F(LinuxGuestFsTest, RelativeEscapingSymlinkReadsTheGuestFile) {
    fs::create_symlink("../../decoy", root_ / "etc/hosts");
    write_host_file(root_ / "decoy", "guest file\n");
    LinuxGuestFs guest(root_, std::nullopt);
    EXPECT_EQ(guest.read("/etc/hosts"), "guest file\n");
}

TEST_F(LinuxGuestFsTest, AbsoluteSymlinkToAHostPathStaysInTheRoot) {
    fs::create_symlink(top_ / "decoy", root_ / "etc/shadow");
    LinuxGuestFs guest(root_, std::nullopt);
    EXPECT_FALSE(guest.stat("/etc/shadow"));
    EXPECT_THROW(guest.read("/etc/shadow"), GuestFsError);
    guest.write("/etc/shadow", "root:*:1::::::\n", 0640);
    EXPECT_EQ(read_host_file(root_ / "etc/shadow"), "root:*:1::::::\n");
    expect_decoy_untouched();
}

TEST_F(LinuxGuestFsTest, SymlinkedParentDirectoriesResolveInsideTheRoot) {
    fs::create_symlink("../../..", root_ / "etc/up");
    fs::create_symlink(top_, root_ / "etc/host_dir");
    LinuxGuestFs guest(root_, std::nullopt);
    guest.write("/etc/up/decoy", "inside\n", 0644);
    EXPECT_EQ(read_host_file(root_ / "decoy"), "inside\n");
    EXPECT_THROW(guest.write("/etc/host_dir/decoy", "escape\n", 0644), GuestFsError);
    EXPECT_THROW(guest.unlink("/etc/up/../../decoy.missing"), GuestFsError);
    guest.unlink("/etc/up/../../decoy");
    EXPECT_FALSE(fs::exists(root_ / "decoy"));
    expect_decoy_untouched();
}

TEST_F(LinuxGuestFsTest, WriteIsAtomicWithExactModeAndNoTemporaryLeft) {
    write_host_file(root_ / "etc/hostname", "old\n");
    ::chmod((root_ / "etc/hostname").c_str(), 0600);
    LinuxGuestFs guest(root_, std::nullopt);
    ::umask(077);
    guest.write("/etc/hostname", "new\n", 0644);
    ::umask(022);
    EXPECT_EQ(read_host_file(root_ / "etc/hostname"), "new\n");
    struct stat info {};
    ASSERT_EQ(::stat((root_ / "etc/hostname").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0644u);
    EXPECT_EQ(guest.list_directory("/etc"), (std::vector<std::string>{"hostname"}));
    EXPECT_THROW(guest.write("/etc", "x", 0644), GuestFsError);
}

TEST_F(LinuxGuestFsTest, WritingTheSameFileAgainLeavesItInPlace) {
    LinuxGuestFs guest(root_, std::nullopt);
    auto inode = [&](const char* name) {
        struct stat info {};
        EXPECT_EQ(::lstat((root_ / name).c_str(), &info), 0) << name;
        return info.st_ino;
    };
    guest.write("/etc/hostname", "ct100\n", 0644);
    ino_t first = inode("etc/hostname");
    guest.write("/etc/hostname", "ct100\n", 0644);
    EXPECT_EQ(inode("etc/hostname"), first) << "same content, mode and owner: left as it is";

    // Anything different is replaced: content, length, mode, a second link.
    guest.write("/etc/hostname", "ct101\n", 0644);
    EXPECT_NE(inode("etc/hostname"), first);
    ino_t second = inode("etc/hostname");
    guest.write("/etc/hostname", "ct101\n", 0600);
    EXPECT_NE(inode("etc/hostname"), second);
    EXPECT_EQ(guest.stat("/etc/hostname")->mode, 0600u);
    ::link((root_ / "etc/hostname").c_str(), (root_ / "etc/hostname.link").c_str());
    ino_t linked = inode("etc/hostname");
    guest.write("/etc/hostname", "ct101\n", 0600);
    EXPECT_NE(inode("etc/hostname"), linked) << "a hard link is broken, as a rename does";
    EXPECT_EQ(read_host_file(root_ / "etc/hostname.link"), "ct101\n");

    // A symlink to a file with the same content is still replaced by a file.
    write_host_file(root_ / "etc/target", "x\n");
    ::chmod((root_ / "etc/target").c_str(), 0644);
    fs::create_symlink("target", root_ / "etc/link");
    guest.write("/etc/link", "x\n", 0644);
    EXPECT_FALSE(fs::is_symlink(root_ / "etc/link"));
}

TEST_F(LinuxGuestFsTest, RewritingKeepsTheMappedRootAsOwner) {
    if (::geteuid() != 0) GTEST_SKIP() << "changing owners needs root";
    LinuxGuestFs guest(root_, GuestFileOwner{100000, 100000});
    guest.write("/etc/hosts", "127.0.0.1 localhost\n", 0644);
    // Same content, but owned by the host's root: written again for the container's root.
    ::chown((root_ / "etc/hosts").c_str(), 0, 0);
    guest.write("/etc/hosts", "127.0.0.1 localhost\n", 0644);
    struct stat info {};
    ASSERT_EQ(::stat((root_ / "etc/hosts").c_str(), &info), 0);
    EXPECT_EQ(info.st_uid, 100000u);
    EXPECT_EQ(info.st_gid, 100000u);
}

TEST_F(LinuxGuestFsTest, NewEntriesBelongToTheMappedRoot) {
    if (::geteuid() != 0) GTEST_SKIP() << "changing owners needs root";
    LinuxGuestFs guest(root_, GuestFileOwner{100000, 100001});
    guest.mkdir("/root", 0700);
    guest.write("/root/file", "x", 0600);
    guest.symlink("file", "/root/link");
    for (const char* name : {"root", "root/file", "root/link"}) {
        struct stat info {};
        ASSERT_EQ(::lstat((root_ / name).c_str(), &info), 0) << name;
        EXPECT_EQ(info.st_uid, 100000u) << name;
        EXPECT_EQ(info.st_gid, 100001u) << name;
    }
    struct stat info {};
    ::stat((root_ / "root").c_str(), &info);
    EXPECT_EQ(info.st_mode & 07777, 0700u);

    guest.chown("/root/file", 0, 42);
    EXPECT_EQ(guest.stat("/root/file")->gid, 42u);
}

TEST_F(LinuxGuestFsTest, StatReadlinkRenameChmodAndWritability) {
    LinuxGuestFs guest(root_, std::nullopt);
    guest.write("/etc/a", "A", 0644);
    guest.symlink("a", "/etc/link");
    EXPECT_EQ(guest.readlink("/etc/link"), "a");
    EXPECT_EQ(guest.stat("/etc/link")->type, GuestFileType::Regular);
    EXPECT_EQ(guest.lstat("/etc/link")->type, GuestFileType::Symlink);
    EXPECT_EQ(guest.stat("/")->type, GuestFileType::Directory);
    EXPECT_THROW(guest.symlink("b", "/etc/link"), GuestFsError);
    guest.rename("/etc/a", "/etc/b");
    EXPECT_EQ(guest.read("/etc/b"), "A");
    EXPECT_EQ(guest.read("/etc/b", 0), "");
    guest.chmod("/etc/b", 0600);
    EXPECT_EQ(guest.stat("/etc/b")->mode, 0600u);
    EXPECT_TRUE(guest.is_writable("/etc"));
    EXPECT_FALSE(guest.is_writable("/missing"));
}

TEST_F(LinuxGuestFsTest, RootMustBeADirectory) {
    EXPECT_THROW(LinuxGuestFs(top_ / "missing", std::nullopt), GuestFsError);
}

}  // namespace
}  // namespace pct
