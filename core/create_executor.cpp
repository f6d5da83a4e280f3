#include "core/create_executor.h"

#include <functional>
#include <set>

#include "core/config_loader.h"
#include "core/container_template.h"
#include "core/error.h"
#include "core/option_schema.h"
#include "core/restore_plan.h"
#include "core/volume_id.h"

namespace pct {

namespace {

// Undo actions, run newest first when the create fails.
class UndoStack {
public:
    void push(std::function<void()> undo) { actions_.push_back(std::move(undo)); }
    void run() noexcept {
        while (!actions_.empty()) {
            try {
                actions_.back()();
            } catch (...) {
                // Keep undoing the rest; the original error is what the user sees.
            }
            actions_.pop_back();
        }
    }

private:
    std::vector<std::function<void()>> actions_;
};

std::string host_path(const std::string& rootdir, const std::string& mount_path) {
    return mount_path == "/" ? rootdir : rootdir + mount_path;
}

void make_directories(GuestFs& fs, const std::string& path) {
    std::string partial;
    size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        partial = path.substr(0, pos);
        if (!fs.stat(partial)) fs.mkdir(partial, 0755);
    }
}

class Creator {
public:
    Creator(const CreatePlan& plan, CreateEnvironment& env) : plan_(plan), env_(env), mounts_(plan.mounts) {}

    CreateReport run() {
        auto lock = env_.store.lock(plan_.vmid);
        std::string id = std::to_string(plan_.vmid);
        std::string failure_prefix = std::string(plan_.restore ? "unable to restore CT " : "unable to create CT ") + id + " - ";
        std::optional<StoredConfig> existing = env_.store.read(plan_.vmid);
        if (existing && !(plan_.restore && plan_.restore->force))
            throw UserError("CT " + id + " already exists on node '" + env_.node_name + "'");
        if (existing) {
            if (env_.is_running && env_.is_running(plan_.vmid)) throw UserError("can't overwrite running container");
            ContainerConfig old = parse_config(existing->text, plan_.vmid).config;
            if (const std::string* protection = old.main.get("protection"); protection && *protection == "1")
                throw UserError(failure_prefix + "protection mode enabled");
            check_lock(old);
            old_config_ = std::move(old);
        }
        try {
            if (old_config_) {
                ContainerConfig locked = *old_config_;
                locked.main.values["lock"] = "create";
                env_.store.replace(plan_.vmid, write_config(locked));
                // Until new volumes exist, the old CT stays as it was.
                undo_.push([this, text = existing->text] {
                    if (allocated_any_) env_.store.remove(plan_.vmid);
                    else env_.store.replace(plan_.vmid, text);
                });
            } else {
                env_.store.replace(plan_.vmid, "lock: create\n");
                undo_.push([this] { env_.store.remove(plan_.vmid); });
            }
            allocate_volumes();
            if (old_config_) free_old_volumes();
            mount_volumes();
            unpack_template();
            if (plan_.restore) restore_configuration();
            set_up_guest();
            unmount_volumes();
            return write_final_config();
        } catch (const UserError& e) {
            undo_.run();
            throw UserError(failure_prefix + e.what());
        }
    }

private:
    void allocate_volumes() {
        for (auto& mount : mounts_) {
            if (mount.source != MountSource::NewVolume) continue;
            Storage& storage = env_.storages.get(mount.storage);
            mount.volume = storage.allocate(
                {.vmid = plan_.vmid, .size_kib = mount.size_kib, .root_uid = plan_.root_uid, .root_gid = plan_.root_gid});
            allocated_any_ = true;
            undo_.push([&storage, volume = mount.volume] { storage.free(volume); });
        }
    }

    // The overwritten CT's storage volumes that it owns (cli.md §3.2, §3.3).
    void free_old_volumes() {
        std::set<std::string> volumes;
        for (const ConfigSection* section : {&old_config_->main, &old_config_->pending}) {
            for (const auto& [key, value] : section->values) {
                auto [base, index] = split_indexed_key(key);
                if (key != "rootfs" && !(index >= 0 && (base == "mp" || base == "unused"))) continue;
                std::string volume = volume_of_mount_value(value);
                if (volume.empty() || classify_mount_point(volume) != MountPointType::volume) continue;
                volumes.insert(volume);
            }
        }
        for (const auto& volume : volumes) {
            VolumeId parsed = parse_volume_id(volume);
            std::optional<int> owner;
            try {
                owner = parse_dir_volname(parsed.volname).owner_vmid;
            } catch (const UserError&) {
            }
            if (owner != plan_.vmid) {
                report_.warnings.push_back("ignore deletion of '" + volume + "', CT " + std::to_string(plan_.vmid) +
                                           " isn't the owner!");
                continue;
            }
            env_.storages.get(parsed.storage).free(volume);
        }
    }

    // After extraction: merge the backed-up config, move the backup's
    // config files out of the guest (cli.md §3.2).
    void restore_configuration() {
        const RestoreSettings& restore = *plan_.restore;
        config_ = plan_.config;
        for (const auto& mount : mounts_) config_.main.values[mount.key] = mount_value(mount);
        if (restore.backup) {
            report_.notes.push_back("merging backed-up and given configuration..");
        } else {
            report_.notes.push_back("###########################################################");
            report_.notes.push_back("Converting OpenVZ configuration to LXC is not possible and");
            report_.notes.push_back("the archive contains no configuration file: nothing is merged.");
            report_.notes.push_back("###########################################################");
        }
        config_ = merge_restored_config(config_, restore, env_.random);
        auto fs = env_.rootfs.open(env_.rootdir, plan_.root_uid, plan_.root_gid);
        if (fs->lstat("/etc/vzdump/pct.conf")) fs->unlink("/etc/vzdump/pct.conf");
        if (auto status = fs->lstat("/etc/vzdump/pct.fw")) {
            if (status->type == GuestFileType::Regular && env_.store_firewall) {
                std::string rules = fs->read("/etc/vzdump/pct.fw", 16 << 20);
                if (!rules.empty()) {
                    env_.store_firewall(plan_.vmid, rules);
                    undo_.push([this] { env_.store_firewall(plan_.vmid, std::nullopt); });
                }
            }
            fs->unlink("/etc/vzdump/pct.fw");
        }
        config_merged_ = true;
    }

    MountRequest mount_request(const PlannedMount& mount) {
        MountRequest request{.target = host_path(env_.rootdir, mount.mount_path)};
        switch (mount.source) {
            case MountSource::NewVolume:
            case MountSource::StorageVolume: {
                Storage& storage = env_.storages.get(parse_storage_of(mount.volume));
                request.source = storage.path(mount.volume);
                request.format = storage.format(mount.volume);
                break;
            }
            case MountSource::BindDirectory:
                request.source = mount.volume;
                request.format = VolumeFormat::Subvol;
                break;
            case MountSource::Device:
                request.source = mount.volume;
                request.is_device = true;
                break;
        }
        return request;  // read-only flags are ignored while creating (cli.md §3.1 6.3)
    }

    static std::string parse_storage_of(const std::string& volid) { return volid.substr(0, volid.find(':')); }

    void mount_volumes() {
        undo_.push([this] { unmount_volumes(); });
        for (const auto& mount : mounts_) {
            if (mount.mount_path != "/") {
                // The rootfs is freshly made and still empty, so no guest symlink
                // can redirect these directories.
                auto fs = env_.rootfs.open(env_.rootdir, plan_.root_uid, plan_.root_gid);
                make_directories(*fs, mount.mount_path);
            }
            MountRequest request = mount_request(mount);
            env_.mounter.mount(request);
            mounted_.push_back(request.target);
            if (mount.source == MountSource::NewVolume && plan_.unprivileged) hand_over_lost_and_found(mount.mount_path);
        }
    }

    // mkfs.ext4 creates lost+found owned by host root; in an unprivileged
    // container that would be an unmapped (nobody) directory, so it goes to
    // the container's root like everything else.
    void hand_over_lost_and_found(const std::string& mount_path) {
        auto fs = env_.rootfs.open(env_.rootdir, plan_.root_uid, plan_.root_gid);
        std::string path = (mount_path == "/" ? "" : mount_path) + "/lost+found";
        if (auto status = fs->lstat(path); status && status->type == GuestFileType::Directory)
            fs->chown(path, plan_.root_uid, plan_.root_gid);
    }

    void unpack_template() {
        std::string archive = plan_.template_file;
        if (!plan_.template_storage.empty())
            archive = env_.storages.get(plan_.template_storage).template_directory() + "/" + plan_.template_file;
        report_.notes.push_back(plan_.restore ? "restoring '" + archive + "' now.."
                                              : "extracting archive '" + archive + "'");
        UnpackResult result = env_.unpacker.unpack({.archive = archive,
                                                    .target = env_.rootdir,
                                                    .idmap = plan_.unprivileged ? plan_.idmap : std::vector<IdMapEntry>{},
                                                    .ignore_errors = plan_.ignore_unpack_errors});
        for (auto& warning : result.warnings) report_.warnings.push_back(std::move(warning));
    }

    void set_up_guest() {
        if (!config_merged_) {
            config_ = plan_.config;
            for (const auto& mount : mounts_) config_.main.values[mount.key] = mount_value(mount);
        }
        auto fs = env_.rootfs.open(env_.rootdir, plan_.root_uid, plan_.root_gid);
        guest::GuestSetupInputs inputs{.operation = plan_.restore ? guest::GuestSetupOperation::RestoreFixup
                                                                  : guest::GuestSetupOperation::PostCreate,
                                       .root_password = plan_.root_password,
                                       .ssh_public_keys = plan_.ssh_public_keys,
                                       .host_resolv_conf = env_.host_resolv_conf};
        guest::GuestSetupReport setup = guest::run_guest_setup(*fs, config_.main, inputs, env_.clock, env_.random);
        config_.main.values["ostype"] = setup.os_type;
        if (!config_.main.has("arch")) config_.main.values["arch"] = setup.detected_arch.value_or("amd64");
        for (auto& warning : setup.warnings) report_.warnings.push_back(std::move(warning));
        for (auto& note : setup.notes) report_.notes.push_back(std::move(note));
        if (setup.ssh_host_keys) env_.rootfs.generate_ssh_host_keys(*fs, *setup.ssh_host_keys);
    }

    // Children before parents; a target leaves the list only once unmounted,
    // so the undo path retries exactly what is still mounted.
    void unmount_volumes() {
        while (!mounted_.empty()) {
            env_.mounter.unmount(mounted_.back());
            mounted_.pop_back();
        }
    }

    CreateReport write_final_config() {
        ConfigSection& main = config_.main;
        if (!main.has("hostname")) main.values["hostname"] = "CT" + std::to_string(plan_.vmid);
        if (!main.has("memory") || *main.get("memory") == "0") main.values["memory"] = "512";
        if (!main.has("swap")) main.values["swap"] = "512";
        env_.store.replace(plan_.vmid, write_config(config_));
        report_.config = config_;
        return std::move(report_);
    }

    const CreatePlan& plan_;
    CreateEnvironment& env_;
    std::vector<PlannedMount> mounts_;
    std::vector<std::string> mounted_;  // host targets, in mount order
    std::optional<ContainerConfig> old_config_;  // restore --force: the CT being overwritten
    bool allocated_any_ = false;
    bool config_merged_ = false;
    UndoStack undo_;
    ContainerConfig config_;
    CreateReport report_;
};

}  // namespace

CreateReport execute_create(const CreatePlan& plan, CreateEnvironment& environment) {
    CreateReport report = Creator(plan, environment).run();
    if (plan.restore && plan.restore->was_template) {
        // After the config lock is released: the conversion takes it itself.
        report.notes.push_back("Convert restored container to template...");
        try {
            for (auto& warning : convert_to_template(environment.store, environment.storages, plan.vmid,
                                                     [&](int vmid) { return environment.is_running && environment.is_running(vmid); }))
                report.warnings.push_back(std::move(warning));
            report.config = parse_config(environment.store.read(plan.vmid)->text, plan.vmid).config;
        } catch (const UserError& e) {
            throw UserError("unable to restore CT " + std::to_string(plan.vmid) + " - " + e.what());
        }
    }
    return report;
}

}  // namespace pct
