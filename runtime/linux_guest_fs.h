#pragma once
// GuestFs on a mounted container root: every path is resolved by the kernel
// with openat2(RESOLVE_IN_ROOT) relative to the root directory, so guest
// symlinks (absolute or "../..") can never lead onto the host.
#include <cstdint>
#include <optional>
#include <string>

#include "core/guest_fs.h"

namespace pct {

struct GuestFileOwner {
    uint64_t uid = 0;
    uint64_t gid = 0;
};

class LinuxGuestFs : public GuestFs {
public:
    // `new_entry_owner`: host ids of the container's root user for entries
    // this creates in an unprivileged container; nullopt keeps the caller's.
    // Throws GuestFsError when root is not a directory.
    LinuxGuestFs(const std::string& root, std::optional<GuestFileOwner> new_entry_owner);
    ~LinuxGuestFs() override;
    LinuxGuestFs(const LinuxGuestFs&) = delete;
    LinuxGuestFs& operator=(const LinuxGuestFs&) = delete;

    std::optional<GuestFileStatus> stat(std::string_view path) const override;
    std::optional<GuestFileStatus> lstat(std::string_view path) const override;
    std::string read(std::string_view path, size_t max_bytes) const override;
    using GuestFs::read;
    void write(std::string_view path, std::string_view data, uint32_t mode) override;
    bool is_writable(std::string_view path) const override;
    void mkdir(std::string_view path, uint32_t mode) override;
    void symlink(std::string_view target, std::string_view link_path) override;
    std::string readlink(std::string_view path) const override;
    void chmod(std::string_view path, uint32_t mode) override;
    void chown(std::string_view path, uint64_t uid, uint64_t gid) override;
    void unlink(std::string_view path) override;
    void rename(std::string_view from, std::string_view to) override;
    std::vector<std::string> list_directory(std::string_view path) const override;

private:
    int root_fd_;
    std::optional<GuestFileOwner> new_entry_owner_;
};

}  // namespace pct
