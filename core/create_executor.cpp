#include "core/create_executor.h"

#include <functional>

#include "core/error.h"

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
        if (env_.store.read(plan_.vmid))
            throw UserError("CT " + std::to_string(plan_.vmid) + " already exists on node '" + env_.node_name + "'");
        try {
            env_.store.replace(plan_.vmid, "lock: create\n");
            undo_.push([this] { env_.store.remove(plan_.vmid); });
            allocate_volumes();
            mount_volumes();
            unpack_template();
            set_up_guest();
            unmount_volumes();
            return write_final_config();
        } catch (const UserError& e) {
            undo_.run();
            throw UserError("unable to create CT " + std::to_string(plan_.vmid) + " - " + e.what());
        }
    }

private:
    void allocate_volumes() {
        for (auto& mount : mounts_) {
            if (mount.source != MountSource::NewVolume) continue;
            Storage& storage = env_.storages.get(mount.storage);
            mount.volume = storage.allocate(
                {.vmid = plan_.vmid, .size_kib = mount.size_kib, .root_uid = plan_.root_uid, .root_gid = plan_.root_gid});
            undo_.push([&storage, volume = mount.volume] { storage.free(volume); });
        }
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
        report_.notes.push_back("extracting archive '" + archive + "'");
        UnpackResult result = env_.unpacker.unpack({.archive = archive,
                                                    .target = env_.rootdir,
                                                    .idmap = plan_.unprivileged ? plan_.idmap : std::vector<IdMapEntry>{},
                                                    .ignore_errors = plan_.ignore_unpack_errors});
        for (auto& warning : result.warnings) report_.warnings.push_back(std::move(warning));
    }

    void set_up_guest() {
        config_ = plan_.config;
        for (const auto& mount : mounts_) config_.main.values[mount.key] = mount_value(mount);
        auto fs = env_.rootfs.open(env_.rootdir, plan_.root_uid, plan_.root_gid);
        guest::GuestSetupInputs inputs{.operation = guest::GuestSetupOperation::PostCreate,
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
    UndoStack undo_;
    ContainerConfig config_;
    CreateReport report_;
};

}  // namespace

CreateReport execute_create(const CreatePlan& plan, CreateEnvironment& environment) { return Creator(plan, environment).run(); }

}  // namespace pct
