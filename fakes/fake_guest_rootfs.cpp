#include "fakes/fake_guest_rootfs.h"

namespace pct {

namespace {

// Forwards to a GuestFs owned elsewhere.
class GuestFsView : public GuestFs {
public:
    explicit GuestFsView(GuestFs& target) : target_(target) {}
    std::optional<GuestFileStatus> stat(std::string_view path) const override { return target_.stat(path); }
    std::optional<GuestFileStatus> lstat(std::string_view path) const override { return target_.lstat(path); }
    std::string read(std::string_view path, size_t max_bytes) const override { return target_.read(path, max_bytes); }
    using GuestFs::read;
    void write(std::string_view path, std::string_view data, uint32_t mode) override { target_.write(path, data, mode); }
    bool is_writable(std::string_view path) const override { return target_.is_writable(path); }
    void mkdir(std::string_view path, uint32_t mode) override { target_.mkdir(path, mode); }
    void symlink(std::string_view target, std::string_view link_path) override { target_.symlink(target, link_path); }
    std::string readlink(std::string_view path) const override { return target_.readlink(path); }
    void chmod(std::string_view path, uint32_t mode) override { target_.chmod(path, mode); }
    void chown(std::string_view path, uint64_t uid, uint64_t gid) override { target_.chown(path, uid, gid); }
    void unlink(std::string_view path) override { target_.unlink(path); }
    void rename(std::string_view from, std::string_view to) override { target_.rename(from, to); }
    std::vector<std::string> list_directory(std::string_view path) const override { return target_.list_directory(path); }

private:
    GuestFs& target_;
};

}  // namespace

std::unique_ptr<GuestFs> FakeGuestRootfs::open(const std::string& rootdir, uint64_t uid, uint64_t gid) {
    opened.push_back(rootdir + " " + std::to_string(uid) + ":" + std::to_string(gid));
    return std::make_unique<GuestFsView>(fs);
}

void FakeGuestRootfs::generate_ssh_host_keys(GuestFs& target, const guest::SshHostKeyPlan& plan) {
    for (const auto& type : plan.key_types) {
        generated_key_types.push_back(type);
        target.write("/etc/ssh/ssh_host_" + type + "_key", "private " + type, 0600);
    }
}

}  // namespace pct
