#include "core/snapshot_tree.h"

#include <gtest/gtest.h>

#include <map>

namespace pct {
namespace {

// Stands in for the host's local time.
std::string fake_time(int64_t seconds) {
    static const std::map<int64_t, std::string> times = {{0, "1970-01-01 00:00:00"},
                                                         {1714557600, "2024-05-01 10:00:00"},
                                                         {1714640400, "2024-05-02 09:00:00"},
                                                         {1714726800, "2024-05-03 09:00:00"}};
    return times.at(seconds);
}

std::string tree_of(const std::string& text) {
    return format_snapshot_tree(list_snapshots(parse_config(text, 100).config), fake_time);
}

TEST(SnapshotTree, TheSpecExample) {
    const std::string config =
        "parent: second\nrootfs: fast:100/subvol-100-disk-0.subvol\n\n"
        "[first]\n#before upgrade\nrootfs: fast:100/subvol-100-disk-0.subvol\nsnaptime: 1714557600\n\n"
        "[second]\nparent: first\nrootfs: fast:100/subvol-100-disk-0.subvol\nsnaptime: 1714640400\n";
    EXPECT_EQ(tree_of(config),
              "`-> first                       2024-05-01 10:00:00     before upgrade\n"
              " `-> second                     2024-05-02 09:00:00     no-description\n"
              "  `-> current                                           You are here!\n");
}

TEST(SnapshotTree, NoSnapshotsIsJustCurrent) {
    EXPECT_EQ(tree_of("memory: 512\n"), "`-> current                                             You are here!\n");
}

TEST(SnapshotTree, SiblingsByTimeWithCurrentLast) {
    // After a rollback to `first`: `second` and `current` are both children of it.
    const std::string config =
        "parent: first\n\n"
        "[first]\nsnaptime: 1714557600\n\n"
        "[late]\nparent: first\nsnaptime: 1714726800\n\n"
        "[second]\n#line one\n#line two\nparent: first\nsnaptime: 1714640400\n";
    EXPECT_EQ(tree_of(config),
              "`-> first                       2024-05-01 10:00:00     no-description\n"
              " `-> second                     2024-05-02 09:00:00     line one\n"
              " `-> late                       2024-05-03 09:00:00     no-description\n"
              " `-> current                                            You are here!\n");
}

TEST(SnapshotTree, EntriesWithoutAnExistingParentAreRoots) {
    // A missing snaptime counts as 0, as in the API's list.
    const std::string config =
        "parent: gone\n\n"
        "[bb]\nsnaptime: 1714557600\n\n"
        "[orphan]\nparent: gone\n";
    EXPECT_EQ(tree_of(config),
              "`-> orphan                      1970-01-01 00:00:00     no-description\n"
              "`-> bb                          2024-05-01 10:00:00     no-description\n"
              "`-> current                                             You are here!\n");
}

TEST(SnapshotTree, DeepNestingShrinksTheNameColumnToNothing) {
    std::vector<SnapshotListEntry> entries;
    for (int i = 0; i < 30; ++i) {
        SnapshotListEntry entry{.name = "s" + std::to_string(100 + i), .snaptime = 0};
        if (i > 0) entry.parent = "s" + std::to_string(99 + i);
        entries.push_back(entry);
    }
    const std::string text = format_snapshot_tree(entries, fake_time);
    const std::string last = text.substr(text.rfind('\n', text.size() - 2) + 1);
    // 29 levels: the prefix is 32 characters, so the name is not padded.
    EXPECT_EQ(last, std::string(29, ' ') + "`-> s129 1970-01-01 00:00:00     no-description\n");
}

}  // namespace
}  // namespace pct
