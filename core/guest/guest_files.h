#pragma once
// The file helpers every plugin uses (guest-setup.md §2): existence as
// "resolves to a regular file", atomic writes, managed sections, and the
// `.pve-ignore.NAME` rule that makes a target untouchable.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/guest/managed_section.h"
#include "core/guest_fs.h"

namespace pct::guest {

struct SectionUpdate {
    SectionPlacement placement = SectionPlacement::Append;
    bool delete_when_empty = false;
    uint32_t mode = 0644;  // only for a new file or one without a section
};

class GuestFiles {
public:
    explicit GuestFiles(GuestFs& fs) : fs_(fs) {}

    GuestFs& fs() { return fs_; }

    // `.pve-ignore.NAME` exists as a regular file beside `path`.
    bool is_ignored(std::string_view path) const;

    bool exists(std::string_view path) const;  // resolves to a regular file
    bool is_directory(std::string_view path) const;
    bool is_symlink(std::string_view path) const;
    bool is_executable(std::string_view path) const;
    bool exists_at_all(std::string_view path) const;  // any type, links followed

    std::string read(std::string_view path) const;  // throws GuestFsError
    // First line without its newline; nullopt when the file does not exist or
    // is empty.
    std::optional<std::string> read_first_line(std::string_view path) const;
    // Target of a symlink; nullopt when path is not one.
    std::optional<std::string> readlink(std::string_view path) const;
    // The absolute, symlink-free CT path that `path` designates (like
    // realpath(3) inside the root; missing trailing parts are kept).
    std::string canonical_path(std::string_view path) const;

    // These skip ignored targets. write and modify throw on failure; the
    // others ignore errors (guest-setup.md §2.1) and report success.
    void write(std::string_view path, std::string_view data, uint32_t mode = 0644);
    void modify(std::string_view path, std::string data, const SectionUpdate& update = {});
    bool unlink(std::string_view path);
    bool rename(std::string_view from, std::string_view to);
    bool symlink(std::string_view target, std::string_view link_path);
    bool mkdir(std::string_view path, uint32_t mode = 0755);
    void make_path(std::string_view path);  // mkdir -p

private:
    GuestFs& fs_;
};

}  // namespace pct::guest
