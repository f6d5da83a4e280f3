#include "core/idmap.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/error.h"
#include "core/tests/user_error_of.h"

namespace pct {
namespace {

std::vector<IdMapEntry> parse_all(const std::vector<std::string>& values) {
    std::vector<IdMapEntry> entries;
    for (const auto& value : values) entries.push_back(parse_idmap_entry(value));
    return entries;
}

std::string conflict_of(const std::vector<std::string>& values) {
    return find_idmap_conflict(parse_all(values)).value_or("<none>");
}


// ---- parsing ---------------------------------------------------------------

TEST(IdmapParse, AcceptsTheReferenceGrammar) {
    EXPECT_EQ(parse_idmap_entry("u 0 100000 65536"), (IdMapEntry{'u', 0, 100000, 65536}));
    EXPECT_EQ(parse_idmap_entry("g\t1000  1000\t1"), (IdMapEntry{'g', 1000, 1000, 1}));
    EXPECT_EQ(parse_idmap_entry("u 1 2 3   "), (IdMapEntry{'u', 1, 2, 3}));
    EXPECT_EQ(parse_idmap_entry("u 1 2 3\n"), (IdMapEntry{'u', 1, 2, 3}));
    EXPECT_EQ(parse_idmap_entry("u 007 2 0"), (IdMapEntry{'u', 7, 2, 0}));
}

TEST(IdmapParse, RejectsAnythingElseWithTheReferenceMessage) {
    for (std::string bad : {"", "x 0 100000 65536", "U 0 100000 65536", " u 0 100000 65536", "u 0 100000",
                            "u 0 100000 65536 1", "u0 100000 65536", "u -1 100000 65536", "u 0 1e5 65536",
                            "u 0 100000 65536x", "u:0:100000:65536", "ug 0 1 2"}) {
        EXPECT_EQ(user_error_of([&] { parse_idmap_entry(bad); }), "failed to parse idmap: " + bad) << bad;
    }
}

TEST(IdmapParse, RejectsNumbersThatOverflow) {
    EXPECT_THROW(parse_idmap_entry("u 18446744073709551616 0 1"), UserError);
    EXPECT_THROW(parse_idmap_entry("u 0 0 99999999999999999999999"), UserError);
    // fits on its own, but the range end would wrap
    EXPECT_THROW(parse_idmap_entry("u 18446744073709551615 0 2"), UserError);
    EXPECT_EQ(parse_idmap_entry("u 18446744073709551614 0 1").container_start, 18446744073709551614ull);
}

TEST(IdmapParse, EntryPrintsWithSingleSpaces) {
    EXPECT_EQ(parse_idmap_entry("g  0\t100000   65536 ").to_string(), "g 0 100000 65536");
}

// ---- defaults and mapping ----------------------------------------------------

TEST(IdmapDefaults, UnprivilegedDefaultMap) {
    EXPECT_EQ(default_unprivileged_idmap(),
              (std::vector<IdMapEntry>{{'u', 0, 100000, 65536}, {'g', 0, 100000, 65536}}));
}

TEST(IdmapDefaults, CustomEntriesReplaceTheDefaults) {
    const std::vector<IdMapEntry> custom = {{'u', 0, 200000, 1000}};
    EXPECT_EQ(effective_idmap(custom, true), custom);
    EXPECT_EQ(effective_idmap(custom, false), custom);
    EXPECT_EQ(effective_idmap({}, true), default_unprivileged_idmap());
    EXPECT_TRUE(effective_idmap({}, false).empty());
}

TEST(IdmapMapping, MapsThroughTheFirstMatchingEntryOfTheType) {
    const auto map = parse_all({"u 0 100000 1005", "g 0 100000 1007", "u 1005 1005 1", "g 1007 1007 1",
                                "u 1006 101006 64530", "g 1008 101008 64528"});
    EXPECT_EQ(map_to_host(map, 'u', 0), 100000u);
    EXPECT_EQ(map_to_host(map, 'u', 1004), 101004u);
    EXPECT_EQ(map_to_host(map, 'u', 1005), 1005u);
    EXPECT_EQ(map_to_host(map, 'u', 1006), 101006u);
    EXPECT_EQ(map_to_host(map, 'u', 65535), 165535u);
    EXPECT_EQ(map_to_host(map, 'g', 1007), 1007u);
    EXPECT_EQ(map_to_host(map, 'g', 1006), 101006u);
    // unmapped ids stay as they are
    EXPECT_EQ(map_to_host(map, 'u', 65536), 65536u);
    EXPECT_EQ(map_to_host({}, 'u', 42), 42u);
}

TEST(IdmapMapping, FirstEntryWinsOnOverlap) {
    const auto map = parse_all({"u 0 100000 10", "u 5 200000 10"});
    EXPECT_EQ(map_to_host(map, 'u', 7), 100007u);
    EXPECT_EQ(map_to_host(map, 'u', 12), 200007u);
}

TEST(IdmapMapping, RootHostId) {
    EXPECT_EQ(root_host_id(default_unprivileged_idmap(), 'u'), 100000u);
    EXPECT_EQ(root_host_id(default_unprivileged_idmap(), 'g'), 100000u);
    const auto map = parse_all({"u 1 5000 10", "u 0 300000 1", "g 0 400000 1"});
    EXPECT_EQ(root_host_id(map, 'u'), 300000u);
    EXPECT_EQ(root_host_id(map, 'g'), 400000u);
    EXPECT_EQ(root_host_id(parse_all({"u 1 5000 10"}), 'u'), 0u);
    EXPECT_EQ(root_host_id({}, 'g'), 0u);
}

// ---- validation: the examples table of runtime.md §4.3 ----------------------

TEST(IdmapValidation, SpecExampleHostUid) {
    EXPECT_EQ(conflict_of({"u 0 100000 1005", "u 1005 1005 2", "u 1007 101007 992", "u 11000 1000 10"}),
              "invalid map entry 'u 1005 1005 2': host uid 1005 is also mapped by entry 'u 11000 1000 10'");
}

TEST(IdmapValidation, SpecExampleContainerUid) {
    EXPECT_EQ(conflict_of({"u 0 100000 65536", "u 1005 1005 1", "u 1006 201006 64530"}),
              "invalid map entry 'u 1005 1005 1': container uid 1005 is also mapped by entry 'u 0 100000 65536'");
}

TEST(IdmapValidation, SpecExampleNeighbours) {
    EXPECT_EQ(conflict_of({"u 5 100000 6", "u 0 200000 11", "u 3 300000 2"}),
              "invalid map entry 'u 3 300000 2': container uid 3 is also mapped by entry 'u 0 200000 11'");
}

TEST(IdmapValidation, SpecExampleContainerGid) {
    EXPECT_EQ(conflict_of({"g 0 100000 1001", "g 1000 1000 10"}),
              "invalid map entry 'g 1000 1000 10': container gid 1000 is also mapped by entry 'g 0 100000 1001'");
}

TEST(IdmapValidation, SpecExampleHostGid) {
    EXPECT_EQ(conflict_of({"g 0 100000 1000", "g 2000 102000 1000", "g 3500 99500 5000"}),
              "invalid map entry 'g 0 100000 1000': host gid 100000 is also mapped by entry 'g 3500 99500 5000'");
}

TEST(IdmapValidation, SpecValidExamples) {
    EXPECT_EQ(find_idmap_conflict(default_unprivileged_idmap()), std::nullopt);
    EXPECT_EQ(conflict_of({"u 0 100000 1005", "g 0 100000 1007", "u 1005 1005 1", "g 1007 1007 1",
                           "u 1006 101006 64530", "g 1008 101008 64528"}),
              "<none>");
    // one range split across several adjacent entries
    EXPECT_EQ(conflict_of({"u 0 100000 100", "u 100 100100 100", "u 200 100200 65336"}), "<none>");
    EXPECT_EQ(find_idmap_conflict({}), std::nullopt);
}

TEST(IdmapValidation, UidCheckedBeforeGidAndContainerBeforeHost) {
    // gid conflict listed first in the file, uid conflict still wins
    EXPECT_EQ(conflict_of({"g 0 100000 10", "g 5 5 1", "u 0 100000 10", "u 20 100005 1"}),
              "invalid map entry 'u 20 100005 1': host uid 100005 is also mapped by entry 'u 0 100000 10'");
    // both sides overlap: container side reported
    EXPECT_EQ(conflict_of({"u 0 100000 10", "u 5 100005 10"}),
              "invalid map entry 'u 5 100005 10': container uid 5 is also mapped by entry 'u 0 100000 10'");
    // u and g ranges may share ids freely
    EXPECT_EQ(conflict_of({"u 0 100000 10", "g 0 100000 10"}), "<none>");
}

TEST(IdmapValidation, EqualStartsKeepFileOrder) {
    EXPECT_EQ(conflict_of({"u 0 100000 5", "u 0 200000 5"}),
              "invalid map entry 'u 0 200000 5': container uid 0 is also mapped by entry 'u 0 100000 5'");
    EXPECT_EQ(conflict_of({"u 0 200000 5", "u 0 100000 5"}),
              "invalid map entry 'u 0 100000 5': container uid 0 is also mapped by entry 'u 0 200000 5'");
}

TEST(IdmapValidation, AdjacentRangesDoNotConflict) {
    EXPECT_EQ(conflict_of({"u 10 100010 10", "u 0 100000 10"}), "<none>");
}

// ---- conformance/idmap/cases.txt, one test per case -------------------------

TEST(IdmapConformance, ValidDefaultUnprivileged) {
    EXPECT_EQ(find_idmap_conflict(effective_idmap({}, true)), std::nullopt);
}

TEST(IdmapConformance, ValidOneUserGroupPassthrough) {
    EXPECT_EQ(conflict_of({"u 0 100000 1005", "g 0 100000 1007", "u 1005 1005 1", "g 1007 1007 1",
                           "u 1006 101006 64530", "g 1008 101008 64528"}),
              "<none>");
}

TEST(IdmapConformance, ValidRangesOutOfOrder) {
    EXPECT_EQ(conflict_of({"u 3000 103000 60000", "u 2000 1000 1000", "u 0 100000 2000", "g 2000 102000 63534",
                           "g 1000 2000 1000", "g 0 100000 1000", "u 63000 263000 2536", "g 65534 365534 2"}),
              "<none>");
}

TEST(IdmapConformance, InvalidHostUidOverlap) {
    EXPECT_EQ(conflict_of({"u 0 100000 1005", "u 1005 1005 2", "u 1007 101007 992", "u 11000 1000 10"}),
              "invalid map entry 'u 1005 1005 2': host uid 1005 is also mapped by entry 'u 11000 1000 10'");
}

TEST(IdmapConformance, InvalidContainerUidOverlap) {
    EXPECT_EQ(conflict_of({"u 0 100000 65536", "u 1005 1005 1", "u 1006 201006 64530"}),
              "invalid map entry 'u 1005 1005 1': container uid 1005 is also mapped by entry 'u 0 100000 65536'");
}

TEST(IdmapConformance, InvalidContainerUidNeighbours) {
    EXPECT_EQ(conflict_of({"u 5 100000 6", "u 0 200000 11", "u 3 300000 2"}),
              "invalid map entry 'u 3 300000 2': container uid 3 is also mapped by entry 'u 0 200000 11'");
}

TEST(IdmapConformance, InvalidContainerGidOverlap) {
    EXPECT_EQ(conflict_of({"g 0 100000 1001", "g 1000 1000 10"}),
              "invalid map entry 'g 1000 1000 10': container gid 1000 is also mapped by entry 'g 0 100000 1001'");
}

TEST(IdmapConformance, InvalidHostGidOverlap) {
    EXPECT_EQ(conflict_of({"g 0 100000 1000", "g 2000 102000 1000", "g 3500 99500 5000"}),
              "invalid map entry 'g 0 100000 1000': host gid 100000 is also mapped by entry 'g 3500 99500 5000'");
}

TEST(IdmapConformance, Perf1000Entries) {
    std::vector<IdMapEntry> entries;
    for (uint64_t i = 0; i < 1000; ++i) entries.push_back({'u', i * 10, 100000 + i * 10, 10});
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(find_idmap_conflict(entries), std::nullopt);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(200));
}

TEST(IdmapConformance, LargeMapsStayFastAndFindTheOverlap) {
    // reverse order so that the sort has work to do, one overlap at the end
    std::vector<IdMapEntry> entries;
    for (uint64_t i = 100000; i-- > 0;) entries.push_back({'g', i * 10, 1000000 + i * 10, 10});
    entries.push_back({'g', 999995, 5, 1});
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(find_idmap_conflict(entries),
              "invalid map entry 'g 999995 5 1': container gid 999995 is also mapped by entry 'g 999990 1999990 10'");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

// Runs the shared fixture file itself, so new cases there are covered too.
TEST(IdmapConformance, CasesFile) {
#ifdef PCT_CONFORMANCE_DIR
    std::ifstream file(std::string(PCT_CONFORMANCE_DIR) + "/idmap/cases.txt");
    if (!file) GTEST_SKIP() << "conformance cases not available";

    struct Case {
        std::string name;
        bool unprivileged = false;
        std::vector<IdMapEntry> entries;
        bool expect_ok = false;
        std::vector<std::string> expected_errors;
    };
    std::vector<Case> cases;
    std::string line;
    while (std::getline(file, line)) {
        if (line.empty() || line[0] == '#') continue;
        auto rest_after = [&](std::string_view prefix) -> std::optional<std::string> {
            if (line.rfind(prefix, 0) != 0) return std::nullopt;
            return line.substr(prefix.size());
        };
        if (auto name = rest_after("case: ")) {
            cases.emplace_back();
            cases.back().name = *name;
            continue;
        }
        ASSERT_FALSE(cases.empty()) << line;
        Case& current = cases.back();
        if (auto value = rest_after("unprivileged: ")) {
            current.unprivileged = *value == "1";
        } else if (auto value = rest_after("lxc.idmap: ")) {
            current.entries.push_back(parse_idmap_entry(*value));
        } else if (auto value = rest_after("generate: ")) {
            std::istringstream fields(*value);
            uint64_t n = 0, ct = 0, host = 0, len = 0;
            char type = 0;
            fields >> n >> type >> ct >> host >> len;
            for (uint64_t i = 0; i < n; ++i) current.entries.push_back({type, ct + i * len, host + i * len, len});
        } else if (auto value = rest_after("error: ")) {
            current.expected_errors.push_back(*value);
        } else if (line == "ok") {
            current.expect_ok = true;
        } else {
            ASSERT_TRUE(line.rfind("time-limit: ", 0) == 0) << "unknown line: " << line;
        }
    }
    ASSERT_GE(cases.size(), 9u);
    for (const Case& c : cases) {
        const auto conflict = find_idmap_conflict(effective_idmap(c.entries, c.unprivileged));
        if (c.expect_ok) {
            EXPECT_EQ(conflict, std::nullopt) << c.name;
        } else {
            ASSERT_TRUE(conflict.has_value()) << c.name;
            for (const auto& expected : c.expected_errors)
                EXPECT_NE(conflict->find(expected), std::string::npos) << c.name << ": " << *conflict;
        }
    }
#else
    GTEST_SKIP() << "PCT_CONFORMANCE_DIR not defined";
#endif
}

// ---- mount point idmaps (runtime.md §4.5) ------------------------------------

TEST(IdmapMountPoint, ParsesPassthrough) {
    const auto map = parse_mount_idmap("passthrough");
    EXPECT_TRUE(map.passthrough);
    EXPECT_TRUE(map.entries.empty());
}

TEST(IdmapMountPoint, ParsesEntries) {
    const auto map = parse_mount_idmap("u:0:1000:1;g:0:1000:1;u:1:100001:65535");
    EXPECT_FALSE(map.passthrough);
    EXPECT_EQ(map.entries, (std::vector<IdMapEntry>{{'u', 0, 1000, 1}, {'g', 0, 1000, 1}, {'u', 1, 100001, 65535}}));
    EXPECT_EQ(parse_mount_idmap("u:0:0:1;").entries.size(), 1u);
}

TEST(IdmapMountPoint, ParseErrorsNameTheBadEntry) {
    EXPECT_EQ(user_error_of([] { parse_mount_idmap("u:0:1000:1;x:0:0:1"); }),
              "failed to parse mount point idmap: x:0:0:1");
    EXPECT_EQ(user_error_of([] { parse_mount_idmap("u:0:1000:0"); }), "failed to parse mount point idmap: u:0:1000:0");
    EXPECT_EQ(user_error_of([] { parse_mount_idmap("u 0 1000 1"); }), "failed to parse mount point idmap: u 0 1000 1");
    EXPECT_EQ(user_error_of([] { parse_mount_idmap("u:0:1000"); }), "failed to parse mount point idmap: u:0:1000");
    EXPECT_EQ(user_error_of([] { parse_mount_idmap("u:0:1000:1:2"); }),
              "failed to parse mount point idmap: u:0:1000:1:2");
    EXPECT_EQ(user_error_of([] { parse_mount_idmap("u:0:1:1;;g:0:1:1"); }), "failed to parse mount point idmap: ");
    EXPECT_EQ(user_error_of([] { parse_mount_idmap(""); }), "failed to parse mount point idmap: ");
    EXPECT_EQ(user_error_of([] { parse_mount_idmap("Passthrough"); }),
              "failed to parse mount point idmap: Passthrough");
    EXPECT_THROW(parse_mount_idmap("u:0:0:99999999999999999999"), UserError);
}

TEST(IdmapMountPoint, OverlapsAreRejectedLikeContainerMaps) {
    EXPECT_EQ(user_error_of([] { parse_mount_idmap("u:0:1000:10;u:5:2000:1"); }),
              "invalid map entry 'u 5 2000 1': container uid 5 is also mapped by entry 'u 0 1000 10'");
    EXPECT_EQ(user_error_of([] { parse_mount_idmap("g:0:1000:10;g:20:1005:1"); }),
              "invalid map entry 'g 20 1005 1': host gid 1005 is also mapped by entry 'g 0 1000 10'");
}

TEST(IdmapMountPoint, PassthroughUsesTheContainerMap) {
    EXPECT_EQ(resolve_mount_idmap(parse_mount_idmap("passthrough"), default_unprivileged_idmap()),
              default_unprivileged_idmap());
}

TEST(IdmapMountPoint, CoveredIdsMapFromDiskUncoveredStayHostIds) {
    // container uid 1000 is uid 1000 on the disk; container root is disk uid 0
    const auto resolved =
        resolve_mount_idmap(parse_mount_idmap("u:0:0:1;u:1000:1000:1"), default_unprivileged_idmap());
    EXPECT_EQ(resolved, (std::vector<IdMapEntry>{
                            {'u', 0, 100000, 1},
                            {'u', 100001, 100001, 999},
                            {'u', 1000, 101000, 1},
                            {'u', 101001, 101001, 64535},
                            {'g', 100000, 100000, 65536},
                        }));
}

TEST(IdmapMountPoint, EntriesAreAppliedInContainerIdOrderAndClippedToChunks) {
    const std::vector<IdMapEntry> container_map = {{'g', 0, 100000, 100}, {'g', 100, 500000, 100}};
    // one entry spans both chunks, given after one inside the first chunk
    const auto resolved = resolve_mount_idmap(parse_mount_idmap("g:90:9000:20;g:10:7000:5"), container_map);
    EXPECT_EQ(resolved, (std::vector<IdMapEntry>{
                            {'g', 100000, 100000, 10},
                            {'g', 7000, 100010, 5},
                            {'g', 100015, 100015, 75},
                            {'g', 9000, 100090, 10},
                            {'g', 9010, 500000, 10},
                            {'g', 500010, 500010, 90},
                        }));
}

TEST(IdmapMountPoint, IdsOutsideTheContainerMapAreNotMapped) {
    const std::vector<IdMapEntry> container_map = {{'u', 0, 100000, 10}};
    const auto resolved = resolve_mount_idmap(parse_mount_idmap("u:5:50:20"), container_map);
    EXPECT_EQ(resolved, (std::vector<IdMapEntry>{{'u', 100000, 100000, 5}, {'u', 50, 100005, 5}}));
    EXPECT_TRUE(resolve_mount_idmap(parse_mount_idmap("u:0:0:1"), {}).empty());
}

TEST(IdmapMountPoint, PrivilegedWarning) {
    EXPECT_EQ(privileged_mount_idmap_warning("mp0"),
              "'mp0' - ignoring 'idmap' option unsupported by privileged container");
}

}  // namespace
}  // namespace pct
