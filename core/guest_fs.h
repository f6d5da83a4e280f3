#pragma once
// The GuestFs port: file access inside a container's root filesystem.
//
// Every path is a CT path ("/etc/hosts") resolved inside the container root
// as if the process had chroot()ed into it: absolute symlink targets start at
// the container root and ".." never climbs above it (guest-setup.md §1.1).
// Operations on the last path component itself (write, unlink, symlink,
// rename, readlink, lstat) act on that entry and do not follow it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace pct {

// A guest file operation failed; the message names the CT path and the cause.
class GuestFsError : public UserError {
public:
    using UserError::UserError;
};

enum class GuestFileType { Regular, Directory, Symlink, Other };

struct GuestFileStatus {
    GuestFileType type = GuestFileType::Regular;
    uint32_t mode = 0;  // permission bits (07777)
    uint64_t uid = 0;
    uint64_t gid = 0;
};

class GuestFs {
public:
    virtual ~GuestFs() = default;

    // Follows symlinks; nullopt when the path does not resolve (missing,
    // dangling link, a parent that is not a directory, a link loop).
    virtual std::optional<GuestFileStatus> stat(std::string_view path) const = 0;
    // Like stat, but describes a symlink itself.
    virtual std::optional<GuestFileStatus> lstat(std::string_view path) const = 0;

    // At most max_bytes of the content. Throws GuestFsError.
    virtual std::string read(std::string_view path, size_t max_bytes) const = 0;
    std::string read(std::string_view path) const { return read(path, SIZE_MAX); }

    // Atomically replaces the entry at path (a symlink there is replaced, not
    // followed) with a regular file of exactly this mode. New entries are
    // owned by the file system's default owner (the mapped root user of an
    // unprivileged container). Throws GuestFsError.
    virtual void write(std::string_view path, std::string_view data, uint32_t mode) = 0;

    // True when the entry (followed) may be modified; false for a read-only
    // file system or a missing entry.
    virtual bool is_writable(std::string_view path) const = 0;

    // These throw GuestFsError, e.g. when the entry exists or is missing.
    virtual void mkdir(std::string_view path, uint32_t mode) = 0;
    virtual void symlink(std::string_view target, std::string_view link_path) = 0;
    virtual std::string readlink(std::string_view path) const = 0;
    virtual void chmod(std::string_view path, uint32_t mode) = 0;
    virtual void chown(std::string_view path, uint64_t uid, uint64_t gid) = 0;
    virtual void unlink(std::string_view path) = 0;
    virtual void rename(std::string_view from, std::string_view to) = 0;

    // Entry names (without "." and "..") in directory-read order.
    virtual std::vector<std::string> list_directory(std::string_view path) const = 0;
};

}  // namespace pct
