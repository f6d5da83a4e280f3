#pragma once
// In-memory GuestFs for tests: a tree of files, directories and symlinks,
// resolved like a chroot (absolute link targets start at the fake root, ".."
// stops there), with modes, owners, and read-only subtrees to provoke errors.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/guest_fs.h"

namespace pct {

class MemoryGuestFs : public GuestFs {
public:
    struct Entry {
        GuestFileType type = GuestFileType::Regular;
        std::string data;  // file content, or the target of a symlink
        uint32_t mode = 0644;
        uint64_t uid = 0;
        uint64_t gid = 0;
        bool operator==(const Entry&) const = default;
    };
    struct Owner {
        uint64_t uid = 0;
        uint64_t gid = 0;
    };

    // Entries created through the GuestFs interface belong to new_entry_owner
    // (0:0 when not given), like the Linux implementation.
    explicit MemoryGuestFs(std::optional<Owner> new_entry_owner = std::nullopt);

    // Test setup: paths are taken literally (no symlink resolution), missing
    // parent directories are created, read-only subtrees are ignored.
    void add_file(const std::string& path, const std::string& content, uint32_t mode = 0644);
    void add_directory(const std::string& path, uint32_t mode = 0755);
    void add_symlink(const std::string& path, const std::string& target);
    void remove(const std::string& path);  // an entry and everything below it

    // Every later modification at or below path fails with EROFS.
    void make_read_only(const std::string& path);

    // Canonical path -> entry; "/" is the root directory.
    const std::map<std::string, Entry>& entries() const { return entries_; }
    // The entry at a literal path, without resolving symlinks.
    const Entry* entry(const std::string& path) const;
    // Content of the regular file the path resolves to.
    std::optional<std::string> file_content(const std::string& path) const;

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
    // Canonical path of the entry `path` names; intermediate symlinks are
    // always followed, the last component only when follow_last. Throws
    // GuestFsError when an intermediate component is missing or not a
    // directory, or on a symlink loop.
    std::string resolve(std::string_view path, bool follow_last) const;
    const Entry* find(const std::string& canonical) const;
    void check_writable(std::string_view path, const std::string& canonical) const;
    Entry new_entry(GuestFileType type, std::string data, uint32_t mode) const;
    void ensure_parents(const std::string& path);

    std::map<std::string, Entry> entries_;
    std::vector<std::string> read_only_paths_;
    Owner new_entry_owner_;
};

}  // namespace pct
