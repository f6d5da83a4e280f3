// The in-memory GuestFs must resolve paths like a chroot, or the plugin tests
// would not mean much.
#include "fakes/memory_guest_fs.h"

#include <gtest/gtest.h>

namespace pct {
namespace {

TEST(GuestMemoryFs, SymlinksResolveInsideTheRoot) {
    MemoryGuestFs fs;
    fs.add_file("/etc/shadow", "guest shadow");
    fs.add_symlink("/etc/absolute", "/etc/shadow");
    fs.add_symlink("/etc/escape", "../../../etc/shadow");
    fs.add_symlink("/lib", "usr/lib");
    fs.add_file("/usr/lib/os-release", "ID=x\n");
    EXPECT_EQ(fs.read("/etc/absolute"), "guest shadow");
    EXPECT_EQ(fs.read("/etc/escape"), "guest shadow");
    EXPECT_EQ(fs.read("/lib/os-release"), "ID=x\n");
    EXPECT_EQ(fs.lstat("/etc/escape")->type, GuestFileType::Symlink);
}

TEST(GuestMemoryFs, WriteReplacesASymlinkInsteadOfFollowingIt) {
    MemoryGuestFs fs;
    fs.add_file("/target", "keep");
    fs.add_symlink("/etc/hosts", "/target");
    fs.write("/etc/hosts", "new", 0644);
    EXPECT_EQ(fs.entry("/etc/hosts")->type, GuestFileType::Regular);
    EXPECT_EQ(fs.read("/target"), "keep");
}

TEST(GuestMemoryFs, DanglingLinksAndLoopsDoNotResolve) {
    MemoryGuestFs fs;
    fs.add_symlink("/a", "/b");
    fs.add_symlink("/b", "/a");
    fs.add_symlink("/dangling", "/nowhere");
    EXPECT_FALSE(fs.stat("/a"));
    EXPECT_FALSE(fs.stat("/dangling"));
    EXPECT_THROW(fs.read("/a"), GuestFsError);
}

TEST(GuestMemoryFs, NewEntriesBelongToTheConfiguredOwner) {
    MemoryGuestFs fs(MemoryGuestFs::Owner{100000, 100001});
    fs.mkdir("/d", 0700);
    fs.symlink("x", "/d/l");
    fs.write("/d/f", "", 0600);
    for (const char* path : {"/d", "/d/l", "/d/f"}) {
        EXPECT_EQ(fs.entry(path)->uid, 100000u);
        EXPECT_EQ(fs.entry(path)->gid, 100001u);
    }
    EXPECT_EQ(fs.entry("/d")->mode, 0700u);
}

TEST(GuestMemoryFs, ReadOnlySubtreesRefuseChanges) {
    MemoryGuestFs fs;
    fs.add_file("/etc/hosts", "x");
    fs.make_read_only("/etc");
    EXPECT_THROW(fs.write("/etc/hosts", "y", 0644), GuestFsError);
    EXPECT_THROW(fs.unlink("/etc/hosts"), GuestFsError);
    EXPECT_FALSE(fs.is_writable("/etc"));
    EXPECT_TRUE(fs.is_writable("/"));
    fs.write("/other", "ok", 0644);
}

TEST(GuestMemoryFs, RenameMovesDirectoriesWithTheirContent) {
    MemoryGuestFs fs;
    fs.add_file("/a/b/c", "x");
    fs.rename("/a", "/z");
    EXPECT_EQ(fs.read("/z/b/c"), "x");
    EXPECT_FALSE(fs.stat("/a"));
    EXPECT_EQ(fs.list_directory("/z"), (std::vector<std::string>{"b"}));
}

}  // namespace
}  // namespace pct
