#pragma once
// In-memory Storage for tests: volumes are entries in a map, every
// state-changing call is recorded as a line of text, and any call can be made
// to fail. Naming, index choice, feature table and error messages follow the
// Linux storages (runtime/dir_storage.h, runtime/btrfs_storage.h).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/storage.h"
#include "fakes/failure_injector.h"

namespace pct {

class FakeStorage : public Storage {
public:
    explicit FakeStorage(StorageDefinition definition);
    // A storage of that type at "/fake/<id>" with the type's default content.
    explicit FakeStorage(const std::string& id, const std::string& type = "dir");

    // ---- the record ----------------------------------------------------------
    // State-changing calls in order: "allocate <vmid> <size KiB>", "free <volid>",
    // "resize <volid> <bytes>", "snapshot <volid> <name>", "rollback <volid> <name>",
    // "delete_snapshot <volid> <name>", "rename <volid> <target vmid>", "create_base <volid>",
    // "clone_linked <volid> <vmid>[ <snapshot>]". A call that threw has " (failed)" appended.
    // Queries (activate, path, snapshot_path, format, size_bytes, list,
    // supports, check_rollback, template_directory) are not recorded.
    const std::vector<std::string>& calls() const { return calls_; }
    void clear_calls() { calls_.clear(); }
    // The requests of all allocate calls, failed ones included.
    const std::vector<AllocateRequest>& allocate_requests() const { return allocate_requests_; }
    // Also append every record to `journal` (FakeStorageRegistry's common log).
    void also_record_to(std::vector<std::string>* journal) { journal_ = journal; }

    // ---- failure injection ---------------------------------------------------
    // `operation` is the first word of a record, or a query name: "activate",
    // "path", "snapshot_path", "format", "size_bytes", "list", "check_rollback",
    // "template_directory".
    void fail_on(const std::string& operation, const std::string& message) { failures_.fail_on(operation, message); }
    void fail_on_nth(const std::string& operation, int nth, const std::string& message) {
        failures_.fail_on_nth(operation, nth, message);
    }
    void clear_failures() { failures_.clear(); }

    // ---- state, for setting up and checking ----------------------------------
    // Adds a volume without recording a call; `volname` like "100/vm-100-disk-0.raw".
    // Returns its volume id.
    std::string add_volume(const std::string& volname, uint64_t size_bytes = 0);
    bool has_volume(const std::string& volid) const { return volumes_.contains(volid); }
    std::vector<std::string> volume_ids() const;
    std::vector<std::string> snapshots(const std::string& volid) const;  // sorted names
    // Stand-in for the data on a volume: snapshot copies it, rollback restores it.
    void set_content(const std::string& volid, const std::string& content);
    std::string content(const std::string& volid) const;
    // Whether create_base made the volume read-only.
    bool is_read_only(const std::string& volid) const { return volume(volid).read_only; }
    // Overrides the type's feature table (dir: template, resize of raw;
    // btrfs: everything, resize of raw only), for all volumes or one.
    void set_supported(StorageFeature feature, bool supported);
    void set_supported(const std::string& volid, StorageFeature feature, bool supported);

    // ---- Storage ---------------------------------------------------------------
    const StorageDefinition& definition() const override { return definition_; }
    void activate() override { check_query("activate"); }
    std::string allocate(const AllocateRequest& request) override;
    void free(const std::string& volid) override;
    // For a template or backup volume id: its file under the storage path
    // (template/cache, dump, ...), whether it exists or not.
    std::string path(const std::string& volid) const override;
    VolumeFormat format(const std::string& volid) const override;
    uint64_t size_bytes(const std::string& volid) const override;
    std::vector<StoredVolume> list(std::optional<int> owner) const override;
    void resize(const std::string& volid, uint64_t new_size_bytes) override;
    std::string rename(const std::string& volid, int target_vmid) override;
    bool supports(StorageFeature feature, const std::string& volid) const override;
    void snapshot(const std::string& volid, const std::string& name) override;
    void rollback(const std::string& volid, const std::string& name) override;
    // The volume supports rollback and has the snapshot.
    void check_rollback(const std::string& volid, const std::string& name) const override;
    void delete_snapshot(const std::string& volid, const std::string& name) override;
    // path() with "@<name>" after the volume's entry; the snapshot must exist.
    std::string snapshot_path(const std::string& volid, const std::string& name) const override;
    // Raw `vm-` volumes become `base-`, subvol names stay; read-only either way.
    std::string create_base(const std::string& volid, std::vector<std::string>& warnings) override;
    // A new volume of `vmid` with the source's (or snapshot's) content.
    std::string clone_linked(const std::string& volid, int vmid, const std::string& snapshot) override;
    std::string template_directory() const override;

private:
    struct Volume {
        int owner = 0;
        VolumeFormat format = VolumeFormat::Raw;
        uint64_t size_bytes = 0;
        std::string content;
        std::map<std::string, std::string> snapshots;  // name -> content
        bool read_only = false;
    };

    // Records `call`, applies injected failures, runs `action`; marks the
    // record failed when anything throws.
    template <class Action>
    auto recorded(const std::string& call, Action&& action);
    void check_query(const std::string& operation) const;
    Volume& volume(const std::string& volid);
    const Volume& volume(const std::string& volid) const;
    bool type_supports(StorageFeature feature, const Volume& volume) const;
    std::string lowest_free_volname(int vmid, VolumeFormat format) const;

    StorageDefinition definition_;
    std::map<std::string, Volume> volumes_;  // by volume id
    std::vector<std::string> calls_;
    std::vector<std::string>* journal_ = nullptr;
    std::vector<AllocateRequest> allocate_requests_;
    mutable FailureInjector failures_;  // queries are const but count calls
    std::map<StorageFeature, bool> feature_overrides_;
    std::map<std::pair<std::string, StorageFeature>, bool> volume_feature_overrides_;
};

// Storages by id, for code that takes a StorageRegistry.
class FakeStorageRegistry : public StorageRegistry {
public:
    FakeStorageRegistry() = default;
    // One FakeStorage per definition; get() refuses unsupported and disabled
    // ones with the same messages as LinuxStorageRegistry.
    explicit FakeStorageRegistry(const StorageConfig& config);

    FakeStorage& add(const std::string& id, const std::string& type = "dir");
    FakeStorage& add(StorageDefinition definition);
    // The fake itself (no checks), for setting up and asserting.
    FakeStorage& storage(const std::string& id);

    Storage& get(const std::string& storage_id) override;

    // Every storage's records in call order.
    const std::vector<std::string>& calls() const { return calls_; }

private:
    std::map<std::string, std::unique_ptr<FakeStorage>> storages_;
    std::vector<std::string> calls_;
};

}  // namespace pct
