// Proxmox's own snapshot scenarios (conformance/snapshot/README.md), run
// against core/snapshots.h with fakes that behave as that README describes.
// Each scenario checks the error text, the recorded successful storage calls
// and the resulting config file byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "core/config_file.h"
#include "core/error.h"
#include "core/snapshots.h"
#include "core/storage_config.h"
#include "fakes/fixed_clock.h"
#include "fakes/memory_config_store.h"

namespace pct {
namespace {

namespace fs = std::filesystem;

enum class Operation { Prepare, Commit, Create, Delete, Rollback };

// The README's switches; every scenario starts from the defaults.
struct Switches {
    bool snapshot_possible = true;
    bool freeze_possible = true;
    bool activation_possible = true;
    bool kill_possible = true;
};

using CallRecord = std::map<std::string, std::string>;  // volume id -> snapshot name(s), comma-joined

struct Scenario {
    Operation operation;
    std::string group;
    int ctid;
    std::string snapname;
    std::string error;  // as written in the README (Proxmox's trailing newlines included); empty: none
    CallRecord snapshots;
    CallRecord deletes;
    CallRecord rollbacks;
    Switches switches;
    bool vmstate = false;  // prepare: save RAM state
    bool force = false;    // delete
};

const std::string kDisk1 = "local:snapshotable-disk-1";
const std::string kDisk2 = "local:snapshotable-disk-2";
const std::string kDisk3 = "local:snapshotable-disk-3";

std::vector<Scenario> all_scenarios() {
    using enum Operation;
    const Switches defaults;
    return {
        // prepare
        {Prepare, "prepare", 101, "test", "", {}, {}, {}, defaults},
        {Prepare, "prepare", 102, "test2", "", {}, {}, {}, defaults},
        {Prepare, "prepare", 200, "test", "CT is locked (snapshot)\n", {}, {}, {}, defaults},
        {Prepare, "prepare", 201, "test", "snapshot name 'test' already used\n", {}, {}, {}, defaults},
        {Prepare, "prepare", 202, "test", "implement me - snapshot_save_vmstate\n", {}, {}, {}, defaults, true},
        {Prepare, "prepare", 300, "test", "snapshot feature is not available\n", {}, {}, {}, {.snapshot_possible = false}},
        // commit
        {Commit, "commit", 101, "test", "", {}, {}, {}, defaults},
        {Commit, "commit", 102, "test2", "", {}, {}, {}, defaults},
        {Commit, "commit", 201, "test", "missing snapshot lock\n", {}, {}, {}, defaults},
        {Commit, "commit", 202, "test", "snapshot 'test' does not exist\n", {}, {}, {}, defaults},
        {Commit, "commit", 203, "test", "wrong snapshot state\n", {}, {}, {}, defaults},
        // create
        {Create, "create", 101, "test", "", {{kDisk1, "test"}}, {}, {}, defaults},
        {Create, "create", 102, "test2", "", {{kDisk1, "test2"}}, {}, {}, defaults},
        {Create, "create", 103, "test", "", {{kDisk1, "test"}, {kDisk2, "test"}, {kDisk3, "test"}}, {}, {}, defaults},
        {Create, "create", 201, "test", "volume snapshot disabled\n\n", {}, {}, {}, defaults},
        {Create, "create", 202, "test", "freeze disabled\n\n", {}, {}, {}, {.freeze_possible = false}},
        {Create, "create", 203, "test", "volume snapshot disabled\n\n", {{kDisk1, "test"}}, {{kDisk1, "test"}}, {},
         defaults},
        {Create, "create", 204, "test", "storage activation failed\n\n", {}, {}, {}, {.activation_possible = false}},
        // delete
        {Delete, "delete", 101, "test", "", {}, {{kDisk1, "test"}}, {}, defaults},
        {Delete, "delete", 102, "test2", "", {}, {{kDisk1, "test2"}}, {}, defaults},
        {Delete, "delete", 103, "test", "", {}, {{kDisk1, "test"}}, {}, defaults},
        {Delete, "delete", 104, "test2", "", {}, {{kDisk1, "test2"}}, {}, defaults},
        {Delete, "delete", 105, "test", "", {}, {}, {}, defaults, false, true},
        {Delete, "delete", 106, "test", "", {}, {{kDisk1, "test"}}, {}, defaults, false, true},
        {Delete, "delete", 201, "test", "volume snapshot delete disabled\n", {}, {}, {}, defaults},
        {Delete, "delete", 202, "test", "CT is locked (backup)\n", {}, {}, {}, defaults},
        {Delete, "delete", 203, "test", "volume snapshot delete disabled\n", {}, {{kDisk1, "test"}}, {}, defaults},
        {Delete, "delete", 204, "test", "storage activation failed\n", {}, {}, {}, {.activation_possible = false}},
        // rollback
        {Rollback, "rollback", 101, "test", "", {}, {}, {{kDisk1, "test"}}, defaults},
        {Rollback, "rollback", 102, "test2", "", {}, {}, {{kDisk1, "test2"}}, defaults},
        {Rollback, "rollback", 103, "test", "", {}, {}, {{kDisk1, "test"}}, defaults},
        {Rollback, "rollback", 104, "test2", "", {}, {}, {{kDisk1, "test2"}}, defaults},
        {Rollback, "rollback", 105, "test", "", {}, {}, {{kDisk1, "test"}, {kDisk2, "test"}, {kDisk3, "test"}},
         defaults},
        {Rollback, "rollback", 201, "test2", "snapshot 'test2' does not exist\n", {}, {}, {}, defaults},
        {Rollback, "rollback", 202, "test", "volume_rollback_is_possible failed\n", {}, {}, {}, defaults},
        {Rollback, "rollback", 203, "test", "unable to rollback to incomplete snapshot (snapstate = delete)\n", {}, {},
         {}, defaults},
        {Rollback, "rollback", 204, "test", "CT is locked (backup)\n", {}, {}, {}, defaults},
        {Rollback, "rollback", 205, "test", "implement me - save vmstate\n", {}, {}, {{kDisk1, "test"}}, defaults},
        {Rollback, "rollback", 206, "test", "unable to rollback vm 206: vm is running\n", {}, {}, {},
         {.kill_possible = false}},
        {Rollback, "rollback", 207, "test", "volume_rollback_is_possible failed\n", {}, {}, {}, defaults},
        {Rollback, "rollback", 208, "test", "volume snapshot rollback disabled\n", {}, {},
         {{kDisk1, "test"}, {kDisk2, "test"}}, defaults},
        {Rollback, "rollback", 209, "test", "storage activation failed\n", {}, {}, {}, {.activation_possible = false}},
    };
}

// The storage back end of the README: behaviour per volume id; successful
// snapshot, delete and rollback calls are recorded.
class ScenarioStorage : public Storage {
public:
    explicit ScenarioStorage(const Switches& switches) : switches_(switches) {}

    CallRecord snapshots, deletes, rollbacks;
    mutable std::vector<std::string> unexpected;  // calls the scenarios never make

    const StorageDefinition& definition() const override { return definition_; }
    void activate() override {
        if (!switches_.activation_possible) throw UserError("storage activation failed");
    }
    // The feature check answers the switch without looking at the volume.
    bool supports(StorageFeature feature, const std::string&) const override {
        return feature == StorageFeature::Snapshot && switches_.snapshot_possible;
    }
    void snapshot(const std::string& volid, const std::string& name) override {
        if (!one_of(volid, {kDisk1, kDisk2, kDisk3})) throw UserError("volume snapshot disabled");
        record(snapshots, volid, name);
    }
    void delete_snapshot(const std::string& volid, const std::string& name) override {
        if (volid != kDisk1) throw UserError("volume snapshot delete disabled");
        record(deletes, volid, name);
    }
    void check_rollback(const std::string& volid, const std::string&) const override {
        if (!one_of(volid, {kDisk1, kDisk2, kDisk3, "local:snapshotable-disk-4"}))
            throw UserError("volume_rollback_is_possible failed");
    }
    void rollback(const std::string& volid, const std::string& name) override {
        if (!one_of(volid, {kDisk1, kDisk2, kDisk3})) throw UserError("volume snapshot rollback disabled");
        record(rollbacks, volid, name);
    }

    std::string allocate(const AllocateRequest&) override { return fail<std::string>("allocate"); }
    void free(const std::string&) override { fail<void>("free"); }
    std::string path(const std::string&) const override { return fail<std::string>("path"); }
    VolumeFormat format(const std::string&) const override { return fail<VolumeFormat>("format"); }
    uint64_t size_bytes(const std::string&) const override { return fail<uint64_t>("size_bytes"); }
    std::vector<StoredVolume> list(std::optional<int>) const override { return fail<std::vector<StoredVolume>>("list"); }
    void resize(const std::string&, uint64_t) override { fail<void>("resize"); }
    std::string rename(const std::string&, int) override { return fail<std::string>("rename"); }
    std::string template_directory() const override { return fail<std::string>("template_directory"); }
    std::string snapshot_path(const std::string&, const std::string&) const override {
        return fail<std::string>("snapshot_path");
    }
    std::string create_base(const std::string&, std::vector<std::string>&) override {
        return fail<std::string>("create_base");
    }
    std::string clone_linked(const std::string&, int, const std::string&) override {
        return fail<std::string>("clone_linked");
    }

private:
    static bool one_of(const std::string& volid, std::initializer_list<std::string> ids) {
        return std::find(ids.begin(), ids.end(), volid) != ids.end();
    }
    static void record(CallRecord& calls, const std::string& volid, const std::string& name) {
        std::string& names = calls[volid];
        names += (names.empty() ? "" : ",") + name;
    }
    template <class T>
    T fail(const std::string& call) const {
        unexpected.push_back(call);
        throw UserError("unexpected storage call: " + call);
    }

    const Switches& switches_;
    StorageDefinition definition_{.type = "dir", .id = "local", .properties = {{"path", "/tmp/storage/"}}};
};

// Every storage id leads to the one back end (the prepare and commit
// fixtures name `somestore`, whose volumes only the feature check sees).
class ScenarioRegistry : public StorageRegistry {
public:
    explicit ScenarioRegistry(ScenarioStorage& storage) : storage_(storage) {}
    Storage& get(const std::string&) override { return storage_; }

private:
    ScenarioStorage& storage_;
};

// Running at the start of every scenario; a kill stops it only while "kill
// possible" is on; freeze and thaw fail while "freeze possible" is off.
class ScenarioLauncher : public Launcher {
public:
    explicit ScenarioLauncher(const Switches& switches) : switches_(switches) {}

    bool running = true;
    std::vector<std::string> calls;

    LaunchResult start(const StartPlan&, const LaunchOptions&) override {
        calls.push_back("start");
        throw UserError("unexpected start");
    }
    std::optional<int> running_init(int) override { return running ? std::optional<int>(4242) : std::nullopt; }
    void kill(int) override {
        calls.push_back("kill");
        if (switches_.kill_possible) running = false;
    }
    bool shutdown(int, int) override {
        calls.push_back("shutdown");
        throw UserError("unexpected shutdown");
    }
    void freeze(int) override {
        calls.push_back("freeze");
        if (!switches_.freeze_possible) throw UserError("freeze disabled");
    }
    void thaw(int) override {
        calls.push_back("thaw");
        if (!switches_.freeze_possible) throw UserError("freeze disabled");
    }
    bool frozen(int) override { return false; }
    void sync_filesystems(int) override { calls.push_back("sync"); }

private:
    const Switches& switches_;
};

// Proxmox's loader is lenient: the fixtures' `ostype: redhat` (not in the
// enum) and `vmstate` (not a container key) are kept as written. The strict
// loader of the commands refuses both, so the scenarios read this way; any
// other problem in a fixture is an error.
ContainerConfig read_like_proxmox(const ConfigStore& store, int vmid) {
    auto stored = store.read(vmid);
    if (!stored) throw UserError("Configuration file '" + store.path_of(vmid) + "' does not exist");
    ParsedConfig parsed = parse_config(stored->text, vmid);
    for (const auto& problem : parsed.problems)
        if (problem.key != "ostype" && problem.key != "vmstate")
            throw UserError("unexpected problem in fixture: " + problem.key + ": " + problem.message);
    return std::move(parsed.config);
}

std::string read_file(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

fs::path fixture(const std::string& side, const Scenario& scenario) {
    return fs::path(PCT_CONFORMANCE_DIR) / "snapshot" / ("snapshot-" + side) / scenario.group / "lxc" /
           (std::to_string(scenario.ctid) + ".conf");
}

std::string without_trailing_newlines(std::string text) {
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

void run(const Scenario& scenario, SnapshotContext& ctx) {
    switch (scenario.operation) {
        case Operation::Prepare:
            return prepare_snapshot(ctx, scenario.ctid, scenario.snapname, scenario.vmstate, "test comment");
        case Operation::Commit:
            return commit_snapshot(ctx, scenario.ctid, scenario.snapname);
        case Operation::Create:
            return create_snapshot(ctx, scenario.ctid, scenario.snapname, "test comment");
        case Operation::Delete:
            return delete_snapshot(ctx, scenario.ctid, scenario.snapname, scenario.force);
        case Operation::Rollback:
            return rollback_snapshot(ctx, scenario.ctid, scenario.snapname);
    }
}

class SnapshotScenario : public testing::TestWithParam<Scenario> {};

TEST_P(SnapshotScenario, MatchesProxmox) {
    const Scenario& scenario = GetParam();
    MemoryConfigStore store;
    store.configs[scenario.ctid] = read_file(fixture("input", scenario));
    const Switches switches = scenario.switches;
    ScenarioStorage storage(switches);
    ScenarioRegistry registry(storage);
    ScenarioLauncher launcher(switches);
    FixedClock clock(1234567890);
    std::vector<std::string> warnings;
    SnapshotContext ctx{.store = store,
                        .storages = registry,
                        .launcher = launcher,
                        .clock = clock,
                        .warn = [&](const std::string& text) { warnings.push_back(text); },
                        .read = read_like_proxmox};

    std::string error;
    try {
        run(scenario, ctx);
    } catch (const UserError& e) {
        error = e.what();
    }

    EXPECT_EQ(error, without_trailing_newlines(scenario.error));
    EXPECT_EQ(storage.snapshots, scenario.snapshots);
    EXPECT_EQ(storage.deletes, scenario.deletes);
    EXPECT_EQ(storage.rollbacks, scenario.rollbacks);
    EXPECT_EQ(storage.unexpected, std::vector<std::string>{});
    EXPECT_EQ(store.configs[scenario.ctid], read_file(fixture("expected", scenario)));
    for (const auto& warning : warnings) std::cout << "WARN: " << warning << "\n";
}

std::string scenario_name(const testing::TestParamInfo<Scenario>& info) {
    return info.param.group + "_" + std::to_string(info.param.ctid);
}

INSTANTIATE_TEST_SUITE_P(SnapshotConformance, SnapshotScenario, testing::ValuesIn(all_scenarios()), scenario_name);

// No fixture is left without a scenario, and none is run twice.
TEST(SnapshotConformance, EveryFixtureIsAScenario) {
    std::set<std::string> fixtures;
    const fs::path input = fs::path(PCT_CONFORMANCE_DIR) / "snapshot" / "snapshot-input";
    for (const auto& entry : fs::recursive_directory_iterator(input))
        if (entry.path().extension() == ".conf") fixtures.insert(fs::relative(entry.path(), input).string());
    std::set<std::string> scenarios;
    for (const auto& scenario : all_scenarios())
        EXPECT_TRUE(scenarios.insert(fs::relative(fixture("input", scenario), input).string()).second);
    EXPECT_EQ(scenarios, fixtures);
    EXPECT_EQ(scenarios.size(), 42u);
}

}  // namespace
}  // namespace pct
