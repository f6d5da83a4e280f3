#include "fakes/fake_storage.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "core/error.h"
#include "core/volume_id.h"

namespace pct {

// ---- FakeStorage ----------------------------------------------------------------

namespace {

std::string first_word(const std::string& call) { return call.substr(0, call.find(' ')); }

}  // namespace

FakeStorage::FakeStorage(StorageDefinition definition) : definition_(std::move(definition)) {}

FakeStorage::FakeStorage(const std::string& id, const std::string& type)
    : FakeStorage(StorageDefinition{.type = type, .id = id, .properties = {{"path", "/fake/" + id}}}) {}

template <class Action>
auto FakeStorage::recorded(const std::string& call, Action&& action) {
    calls_.push_back(call);
    if (journal_) journal_->push_back(call);
    const size_t index = calls_.size() - 1;
    const size_t journal_index = journal_ ? journal_->size() - 1 : 0;
    try {
        failures_.check(first_word(call), true);
        return action();
    } catch (...) {
        calls_[index] += " (failed)";
        if (journal_) (*journal_)[journal_index] += " (failed)";
        throw;
    }
}

void FakeStorage::check_query(const std::string& operation) const { failures_.check(operation, false); }

FakeStorage::Volume& FakeStorage::volume(const std::string& volid) {
    return const_cast<Volume&>(std::as_const(*this).volume(volid));
}

const FakeStorage::Volume& FakeStorage::volume(const std::string& volid) const {
    if (parse_volume_id(volid).storage != definition_.id)
        throw UserError("volume '" + volid + "' is not on storage '" + definition_.id + "'");
    auto found = volumes_.find(volid);
    if (found == volumes_.end()) throw UserError("volume '" + volid + "' does not exist");
    return found->second;
}

std::string FakeStorage::add_volume(const std::string& volname, uint64_t size_bytes) {
    const DirVolname parsed = parse_dir_volname(volname);
    if (parsed.kind != VolumeKind::image) throw UserError("not an image volume name: '" + volname + "'");
    const bool subvol = parsed.format == ImageFormat::subvol;
    const std::string volid = definition_.id + ":" + volname;
    volumes_[volid] = Volume{.owner = parsed.owner_vmid.value_or(0),
                             .format = subvol ? VolumeFormat::Subvol : VolumeFormat::Raw,
                             .size_bytes = subvol ? 0 : size_bytes};
    return volid;
}

std::vector<std::string> FakeStorage::volume_ids() const {
    std::vector<std::string> ids;
    for (const auto& [volid, volume] : volumes_) ids.push_back(volid);
    return ids;
}

std::vector<std::string> FakeStorage::snapshots(const std::string& volid) const {
    std::vector<std::string> names;
    for (const auto& [name, content] : volume(volid).snapshots) names.push_back(name);
    return names;
}

void FakeStorage::set_content(const std::string& volid, const std::string& content) { volume(volid).content = content; }

std::string FakeStorage::content(const std::string& volid) const { return volume(volid).content; }

void FakeStorage::set_supported(StorageFeature feature, bool supported) { feature_overrides_[feature] = supported; }

void FakeStorage::set_supported(const std::string& volid, StorageFeature feature, bool supported) {
    volume_feature_overrides_[{volid, feature}] = supported;
}

std::string FakeStorage::allocate(const AllocateRequest& request) {
    allocate_requests_.push_back(request);
    return recorded("allocate " + std::to_string(request.vmid) + " " + std::to_string(request.size_kib), [&] {
        if (!definition_.content().contains("rootdir"))
            throw UserError("content type 'rootdir' is not available or configured on storage '" + definition_.id +
                            "'");
        if (request.size_kib > std::numeric_limits<uint64_t>::max() / 1024)
            throw UserError("disk size of " + std::to_string(request.size_kib) + "K is too large");
        std::vector<std::string> names;
        for (const auto& [volid, volume] : volumes_) names.push_back(volid);
        const int index = lowest_free_disk_index(names, request.vmid, definition_.id);
        return add_volume(image_volname(request.vmid, index, request.size_kib == 0), request.size_kib * 1024);
    });
}

void FakeStorage::free(const std::string& volid) {
    recorded("free " + volid, [&] {
        volume(volid);
        volumes_.erase(volid);
    });
}

std::string FakeStorage::path(const std::string& volid) const {
    check_query("path");
    const std::string volname = parse_volume_id(volid).volname;
    // Templates, backups, ...: where the file would be, like the dir storage.
    if (const DirVolname parsed = parse_dir_volname(volname); parsed.kind != VolumeKind::image) {
        if (parse_volume_id(volid).storage != definition_.id)
            throw UserError("volume '" + volid + "' is not on storage '" + definition_.id + "'");
        static const std::map<VolumeKind, std::string> subdirectories = {{VolumeKind::vztmpl, "template/cache"},
                                                                         {VolumeKind::iso, "template/iso"},
                                                                         {VolumeKind::backup, "dump"},
                                                                         {VolumeKind::snippets, "snippets"},
                                                                         {VolumeKind::import, "import"}};
        return definition_.path() + "/" + subdirectories.at(parsed.kind) + "/" + parsed.file_name;
    }
    const Volume& found = volume(volid);
    const std::string base = definition_.path() + "/images/" + volname;
    // btrfs keeps a raw image as disk.raw inside a subvolume named without ".raw".
    if (definition_.type == "btrfs" && found.format == VolumeFormat::Raw)
        return base.substr(0, base.size() - 4) + "/disk.raw";
    return base;
}

VolumeFormat FakeStorage::format(const std::string& volid) const {
    check_query("format");
    return volume(volid).format;
}

uint64_t FakeStorage::size_bytes(const std::string& volid) const {
    check_query("size_bytes");
    return volume(volid).size_bytes;
}

std::vector<StoredVolume> FakeStorage::list(std::optional<int> owner) const {
    check_query("list");
    std::vector<StoredVolume> result;
    for (const auto& [volid, volume] : volumes_) {
        if (owner && volume.owner != *owner) continue;
        result.push_back({volid, volume.owner, volume.format, volume.size_bytes});
    }
    return result;  // the map keeps them sorted by volume id
}

void FakeStorage::resize(const std::string& volid, uint64_t new_size_bytes) {
    recorded("resize " + volid + " " + std::to_string(new_size_bytes), [&] {
        Volume& found = volume(volid);
        if (found.format == VolumeFormat::Subvol)
            throw UserError(definition_.type == "btrfs"
                                ? "btrfs quotas are currently not supported, subvolumes cannot be resized"
                                : "can't resize this image format");
        if (new_size_bytes < found.size_bytes) throw UserError("unable to shrink disk size");
        found.size_bytes = new_size_bytes;
    });
}

std::string FakeStorage::rename(const std::string& volid, int target_vmid) {
    return recorded("rename " + volid + " " + std::to_string(target_vmid), [&] {
        Volume moved = volume(volid);
        if (!moved.snapshots.empty()) throw UserError("unable to rename volume '" + volid + "' - it has snapshots");
        std::vector<std::string> names;
        for (const auto& [id, entry] : volumes_) names.push_back(id);
        const int index = lowest_free_disk_index(names, target_vmid, definition_.id);
        const std::string renamed =
            definition_.id + ":" + image_volname(target_vmid, index, moved.format == VolumeFormat::Subvol);
        moved.owner = target_vmid;
        volumes_.erase(volid);
        volumes_[renamed] = moved;
        return renamed;
    });
}

bool FakeStorage::type_supports(StorageFeature feature, const Volume& volume) const {
    switch (feature) {
        case StorageFeature::Snapshot:
        case StorageFeature::Rollback:
        case StorageFeature::LinkedClone:
            return definition_.type == "btrfs";
        case StorageFeature::Template:
            return true;
        case StorageFeature::Resize:
            return volume.format == VolumeFormat::Raw;
    }
    return false;
}

bool FakeStorage::supports(StorageFeature feature, const std::string& volid) const {
    if (auto found = volume_feature_overrides_.find({volid, feature}); found != volume_feature_overrides_.end())
        return found->second;
    if (auto found = feature_overrides_.find(feature); found != feature_overrides_.end()) return found->second;
    auto volume = volumes_.find(volid);
    return volume != volumes_.end() && type_supports(feature, volume->second);
}

void FakeStorage::snapshot(const std::string& volid, const std::string& name) {
    recorded("snapshot " + volid + " " + name, [&] {
        Volume& found = volume(volid);
        if (!supports(StorageFeature::Snapshot, volid)) throw UserError("can't snapshot this image format");
        if (found.snapshots.contains(name))
            throw UserError("snapshot '" + name + "' of volume '" + volid + "' already exists");
        found.snapshots[name] = found.content;
    });
}

void FakeStorage::rollback(const std::string& volid, const std::string& name) {
    recorded("rollback " + volid + " " + name, [&] {
        Volume& found = volume(volid);
        if (!supports(StorageFeature::Rollback, volid)) throw UserError("can't rollback snapshot this image format");
        auto snapshot = found.snapshots.find(name);
        if (snapshot == found.snapshots.end())
            throw UserError("snapshot '" + name + "' of volume '" + volid + "' does not exist");
        found.content = snapshot->second;
    });
}

void FakeStorage::check_rollback(const std::string& volid, const std::string& name) const {
    check_query("check_rollback");
    const Volume& found = volume(volid);
    if (!supports(StorageFeature::Rollback, volid)) throw UserError("can't rollback snapshot this image format");
    if (!found.snapshots.contains(name))
        throw UserError("snapshot '" + name + "' of volume '" + volid + "' does not exist");
}

void FakeStorage::delete_snapshot(const std::string& volid, const std::string& name) {
    recorded("delete_snapshot " + volid + " " + name, [&] {
        Volume& found = volume(volid);
        if (!supports(StorageFeature::Snapshot, volid)) throw UserError("can't delete snapshot for this image format");
        if (found.snapshots.erase(name) == 0)
            throw UserError("snapshot '" + name + "' of volume '" + volid + "' does not exist");
    });
}

std::string FakeStorage::lowest_free_volname(int vmid, VolumeFormat format) const {
    std::vector<std::string> names;
    for (const auto& [id, entry] : volumes_) names.push_back(id);
    return image_volname(vmid, lowest_free_disk_index(names, vmid, definition_.id), format == VolumeFormat::Subvol);
}

std::string FakeStorage::snapshot_path(const std::string& volid, const std::string& name) const {
    check_query("snapshot_path");
    const Volume& found = volume(volid);
    if (!supports(StorageFeature::Snapshot, volid)) throw UserError("can't snapshot this image format");
    if (!found.snapshots.contains(name))
        throw UserError("snapshot '" + name + "' of volume '" + volid + "' does not exist");
    const std::string base = definition_.path() + "/images/" + parse_volume_id(volid).volname;
    if (definition_.type == "btrfs" && found.format == VolumeFormat::Raw)
        return base.substr(0, base.size() - 4) + "@" + name + "/disk.raw";
    return base + "@" + name;
}

std::string FakeStorage::create_base(const std::string& volid, std::vector<std::string>&) {
    return recorded("create_base " + volid, [&] {
        Volume base = volume(volid);
        const DirVolname parsed = parse_dir_volname(parse_volume_id(volid).volname);
        if (parsed.is_base) throw UserError("create_base not possible with base image");
        if (!supports(StorageFeature::Template, volid))
            throw UserError("Template feature is not available for '" + volid + "'");
        std::string volname = parse_volume_id(volid).volname;
        if (parsed.file_name.starts_with("vm-")) {
            volname.replace(volname.size() - parsed.file_name.size(), 3, "base-");
            if (!base.snapshots.empty()) throw UserError("unable to rename volume '" + volid + "' - it has snapshots");
        }
        const std::string base_volid = definition_.id + ":" + volname;
        if (base_volid != volid && volumes_.contains(base_volid))
            throw UserError("volume '" + base_volid + "' already exists");
        base.read_only = true;
        volumes_.erase(volid);
        volumes_[base_volid] = base;
        return base_volid;
    });
}

std::string FakeStorage::clone_linked(const std::string& volid, int vmid, const std::string& snapshot) {
    return recorded("clone_linked " + volid + " " + std::to_string(vmid) + (snapshot.empty() ? "" : " " + snapshot),
                    [&] {
                        const Volume& source = volume(volid);
                        if (!supports(StorageFeature::LinkedClone, volid))
                            throw UserError("linked clones are not supported on storage '" + definition_.id + "'");
                        Volume clone{.owner = vmid, .format = source.format, .size_bytes = source.size_bytes,
                                     .content = source.content};
                        if (!snapshot.empty()) {
                            auto found = source.snapshots.find(snapshot);
                            if (found == source.snapshots.end())
                                throw UserError("snapshot '" + snapshot + "' of volume '" + volid +
                                                "' does not exist");
                            clone.content = found->second;
                        }
                        const std::string clone_volid =
                            definition_.id + ":" + lowest_free_volname(vmid, source.format);
                        volumes_[clone_volid] = clone;
                        return clone_volid;
                    });
}

std::string FakeStorage::template_directory() const {
    check_query("template_directory");
    return definition_.path() + "/template/cache";
}

// ---- FakeStorageRegistry ----------------------------------------------------------

FakeStorageRegistry::FakeStorageRegistry(const StorageConfig& config) {
    for (const StorageDefinition& definition : config.storages) add(definition);
}

FakeStorage& FakeStorageRegistry::add(const std::string& id, const std::string& type) {
    return add(StorageDefinition{.type = type, .id = id, .properties = {{"path", "/fake/" + id}}});
}

FakeStorage& FakeStorageRegistry::add(StorageDefinition definition) {
    const std::string id = definition.id;
    auto& slot = storages_[id];
    slot = std::make_unique<FakeStorage>(std::move(definition));
    slot->also_record_to(&calls_);
    return *slot;
}

FakeStorage& FakeStorageRegistry::storage(const std::string& id) {
    auto found = storages_.find(id);
    if (found == storages_.end()) throw UserError("storage '" + id + "' does not exist");
    return *found->second;
}

Storage& FakeStorageRegistry::get(const std::string& storage_id) {
    FakeStorage& found = storage(storage_id);
    const StorageDefinition& definition = found.definition();
    if (!definition.supported())
        throw UserError("storage '" + storage_id + "' has type '" + definition.type +
                        "', which pct does not support (supported: dir, btrfs)");
    if (definition.disabled()) throw UserError("storage '" + storage_id + "' is disabled");
    return found;
}

}  // namespace pct
