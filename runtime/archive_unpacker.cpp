#include "runtime/archive_unpacker.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "core/idmap.h"
#include "runtime/libarchive.h"
#include "runtime/threaded_decompressor.h"

namespace pct {

namespace {

// Big reads keep the decompressor busy and the syscall count low.
constexpr size_t kReadBlockSize = 1 << 20;

// What `tar -x` is told by Proxmox: owners, modes, times, ACLs and xattrs
// are restored; existing files are kept; nothing may land outside the
// working directory, not through `..`, an absolute name or a symlink that an
// earlier entry planted (libarchive checks hard link targets the same way).
constexpr int kExtractFlags = ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                              ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_NO_OVERWRITE |
                              ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                              ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;

constexpr const char* kCapabilityXattr = "security.capability";
constexpr uint32_t kCapRevisionMask = 0xFF000000;
constexpr uint32_t kCapRevision1 = 0x01000000;
constexpr uint32_t kCapRevision2 = 0x02000000;
constexpr uint32_t kCapRevision3 = 0x03000000;

struct ReadArchiveDeleter {
    void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteArchiveDeleter {
    void operator()(archive* a) const { archive_write_free(a); }
};
using ReadArchive = std::unique_ptr<archive, ReadArchiveDeleter>;
using WriteArchive = std::unique_ptr<archive, WriteArchiveDeleter>;

std::string errno_text() { return std::strerror(errno); }

std::string archive_error(archive* a) {
    const char* message = archive_error_string(a);
    return message ? message : "unknown error";
}

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

// libarchive resolves entry names against the working directory, and its
// symlink checks only start there: so the extraction runs with the rootfs as
// the working directory, and the caller's one is restored afterwards.
class WorkingDirectory {
public:
    explicit WorkingDirectory(const std::string& directory) : saved_(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) {
        if (saved_.get() < 0) throw UserError("unable to remember the working directory: " + errno_text());
        FileDescriptor target(::open(directory.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (target.get() < 0 || ::fchdir(target.get()) != 0)
            throw UserError("unable to enter extraction target '" + directory + "': " + errno_text());
    }
    WorkingDirectory(const WorkingDirectory&) = delete;
    WorkingDirectory& operator=(const WorkingDirectory&) = delete;
    ~WorkingDirectory() {
        if (::fchdir(saved_.get()) != 0) {
            // Nothing sensible is left to do; the next relative path would fail loudly.
        }
    }

private:
    FileDescriptor saved_;
};

// `./dev/*` is the runtime's business (it mounts its own /dev); `./dev`
// itself stays so that the mount point exists.
bool is_inside_dev(std::string_view name) {
    while (name.starts_with("./") || name.starts_with("/")) name.remove_prefix(name.front() == '/' ? 1 : 2);
    if (!name.starts_with("dev/")) return false;
    name.remove_prefix(4);
    return name.find_first_not_of('/') != std::string_view::npos;
}

// "a/b" for "./a//b/", "" for the root itself, nullopt for names libarchive
// refuses anyway (absolute or with "..").
std::optional<std::string> normalized_name(std::string_view name) {
    if (name.starts_with("/")) return std::nullopt;
    std::string normalized;
    while (!name.empty()) {
        size_t slash = name.find('/');
        std::string_view part = name.substr(0, slash);
        name.remove_prefix(slash == std::string_view::npos ? name.size() : slash + 1);
        if (part.empty() || part == ".") continue;
        if (part == "..") return std::nullopt;
        if (!normalized.empty()) normalized += '/';
        normalized += part;
    }
    return normalized;
}

std::optional<uint64_t> host_id(const std::vector<IdMapEntry>& map, char type, uint64_t id) {
    for (const auto& entry : map) {
        if (entry.type == type && id >= entry.container_start && id - entry.container_start < entry.count)
            return map_to_host(map, type, id);
    }
    return std::nullopt;
}

uint32_t read_le32(const unsigned char* bytes) {
    return uint32_t(bytes[0]) | uint32_t(bytes[1]) << 8 | uint32_t(bytes[2]) << 16 | uint32_t(bytes[3]) << 24;
}

void write_le32(unsigned char* bytes, uint32_t value) {
    for (int i = 0; i < 4; ++i) bytes[i] = static_cast<unsigned char>(value >> (8 * i));
}

// A file capability written from inside the container's user namespace is
// stored by the kernel as revision 3 with the namespace's root as owner, so
// that it grants nothing on the host. We write as host root and therefore
// do that conversion ourselves.
std::optional<std::string> namespaced_capability(const std::vector<IdMapEntry>& map, const void* value, size_t size,
                                                 std::string& problem) {
    const auto* bytes = static_cast<const unsigned char*>(value);
    if (size < 4) {
        problem = "malformed security.capability";
        return std::nullopt;
    }
    uint32_t magic = read_le32(bytes);
    uint32_t revision = magic & kCapRevisionMask;
    uint64_t rootid = 0;
    if (revision == kCapRevision3 && size == 24) {
        rootid = read_le32(bytes + 20);
    } else if (!((revision == kCapRevision2 && size == 20) || (revision == kCapRevision1 && size == 12))) {
        problem = "malformed security.capability";
        return std::nullopt;
    }
    auto host_root = host_id(map, 'u', rootid);
    if (!host_root || *host_root > UINT32_MAX) {
        problem = "security.capability root uid " + std::to_string(rootid) + " is not mapped";
        return std::nullopt;
    }
    unsigned char converted[24] = {};
    std::memcpy(converted, bytes, size == 24 ? 20 : size);
    write_le32(converted, kCapRevision3 | (magic & ~kCapRevisionMask));
    write_le32(converted + 20, static_cast<uint32_t>(*host_root));
    return std::string(reinterpret_cast<const char*>(converted), sizeof converted);
}

bool is_kept_xattr(std::string_view name) { return name.starts_with("user.") || name == kCapabilityXattr; }

// Only `user.*` and `security.capability` are restored (as Proxmox's tar
// --xattrs-include does): trusted.* or security.* from a template have no
// business on the host file system.
void filter_xattrs(archive_entry* entry, const std::vector<IdMapEntry>& map, std::vector<std::string>& problems) {
    if (archive_entry_xattr_count(entry) == 0) return;
    struct Xattr {
        std::string name;
        std::string value;
    };
    std::vector<Xattr> kept;
    bool changed = false;
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    archive_entry_xattr_reset(entry);
    while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
        if (!is_kept_xattr(name)) {
            changed = true;
            continue;
        }
        if (!map.empty() && std::strcmp(name, kCapabilityXattr) == 0) {
            std::string problem;
            auto converted = namespaced_capability(map, value, size, problem);
            changed = true;
            if (!converted) {
                problems.push_back(problem);
                continue;
            }
            kept.push_back({name, *converted});
            continue;
        }
        kept.push_back({name, std::string(static_cast<const char*>(value), size)});
    }
    if (!changed) return;
    archive_entry_xattr_clear(entry);
    for (const auto& xattr : kept)
        archive_entry_xattr_add_entry(entry, xattr.name.c_str(), xattr.value.data(), xattr.value.size());
}

// Named users and groups in ACLs are container ids too.
void shift_acl(archive_entry* entry, const std::vector<IdMapEntry>& map, std::vector<std::string>& problems) {
    if (archive_entry_acl_count(entry, ARCHIVE_ENTRY_ACL_TYPE_POSIX1E | ARCHIVE_ENTRY_ACL_TYPE_NFS4) == 0) return;
    struct Acl {
        int type, permset, tag, qualifier;
    };
    std::vector<Acl> acls;
    bool named = false;
    for (int kind : {ARCHIVE_ENTRY_ACL_TYPE_POSIX1E, ARCHIVE_ENTRY_ACL_TYPE_NFS4}) {
        if (archive_entry_acl_reset(entry, kind) == 0) continue;
        Acl acl{};
        const char* name = nullptr;
        while (archive_entry_acl_next(entry, kind, &acl.type, &acl.permset, &acl.tag, &acl.qualifier, &name) ==
               ARCHIVE_OK) {
            named = named || acl.tag == ARCHIVE_ENTRY_ACL_USER || acl.tag == ARCHIVE_ENTRY_ACL_GROUP;
            acls.push_back(acl);
        }
    }
    if (!named) return;
    archive_entry_acl_clear(entry);
    for (auto acl : acls) {
        if (acl.tag == ARCHIVE_ENTRY_ACL_USER || acl.tag == ARCHIVE_ENTRY_ACL_GROUP) {
            char type = acl.tag == ARCHIVE_ENTRY_ACL_USER ? 'u' : 'g';
            auto mapped = acl.qualifier < 0 ? std::nullopt : host_id(map, type, static_cast<uint64_t>(acl.qualifier));
            if (!mapped || *mapped > INT32_MAX) {
                problems.push_back(std::string("ACL entry for ") + (type == 'u' ? "uid " : "gid ") +
                                   std::to_string(acl.qualifier) + " is not mapped");
                continue;
            }
            acl.qualifier = static_cast<int>(*mapped);
        }
        archive_entry_acl_add_entry(entry, acl.type, acl.permset, acl.tag, acl.qualifier, nullptr);
    }
}

// Owner shift for unprivileged containers: the same result as running tar
// inside the container's user namespace, without the extra process.
void shift_owner(archive_entry* entry, const std::vector<IdMapEntry>& map, std::vector<std::string>& problems) {
    auto uid = host_id(map, 'u', static_cast<uint64_t>(archive_entry_uid(entry)));
    auto gid = host_id(map, 'g', static_cast<uint64_t>(archive_entry_gid(entry)));
    if (!uid) problems.push_back("uid " + std::to_string(archive_entry_uid(entry)) + " is not mapped");
    if (!gid) problems.push_back("gid " + std::to_string(archive_entry_gid(entry)) + " is not mapped");
    if (!uid || !gid) return;
    archive_entry_set_uid(entry, static_cast<la_int64_t>(*uid));
    archive_entry_set_gid(entry, static_cast<la_int64_t>(*gid));
    // Names would be looked up on the host; the numbers are what counts.
    archive_entry_set_uname(entry, nullptr);
    archive_entry_set_gname(entry, nullptr);
}

using FilterSupport = int (*)(archive*);

FilterSupport filter_for(ArchiveCompression compression) {
    switch (compression) {
        case ArchiveCompression::none: return nullptr;
        case ArchiveCompression::gzip: return archive_read_support_filter_gzip;
        case ArchiveCompression::bzip2: return archive_read_support_filter_bzip2;
        case ArchiveCompression::xz: return archive_read_support_filter_xz;
        case ArchiveCompression::lzop: return archive_read_support_filter_lzop;
        case ArchiveCompression::zstd: return archive_read_support_filter_zstd;
    }
    return nullptr;
}

class Extraction {
public:
    explicit Extraction(const UnpackRequest& request) : request_(request) {}

    UnpackResult run() {
        ArchiveCompression compression = archive_compression_of(request_.archive);
        FileDescriptor file(::open(request_.archive.c_str(), O_RDONLY | O_CLOEXEC));
        if (file.get() < 0)
            throw UserError("unable to open template archive '" + request_.archive + "': " + errno_text());
        ::posix_fadvise(file.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
        std::optional<ThreadedDecompressor> decompressor;  // outlives the reader that pulls from it

        ReadArchive reader(archive_read_new());
        WriteArchive writer(archive_write_disk_new());
        if (!reader || !writer) throw UserError("unable to extract '" + request_.archive + "': out of memory");
        archive_read_support_format_tar(reader.get());
        // No user/group lookup functions: owners stay numeric.
        archive_write_disk_set_options(writer.get(), kExtractFlags);
        // Compressed archives are decompressed on a second thread, ahead of
        // the writes; a plain tar is read directly (the kernel reads ahead).
        FilterSupport filter = filter_for(compression);
        int opened = ARCHIVE_OK;
        if (filter) {
            decompressor.emplace(file.get(), filter);
            opened = decompressor->open(reader.get());
        } else {
            opened = archive_read_open_fd(reader.get(), file.get(), kReadBlockSize);
        }
        if (opened != ARCHIVE_OK) throw read_error(reader.get());

        WorkingDirectory in_target(request_.target);
        while (true) {
            archive_entry* entry = nullptr;
            int status = archive_read_next_header(reader.get(), &entry);
            if (status == ARCHIVE_EOF) break;
            if (status == ARCHIVE_WARN) warn(archive_error(reader.get()));
            else if (status != ARCHIVE_OK) throw read_error(reader.get());
            extract_entry(reader.get(), writer.get(), entry);
        }
        // Directory modes and times are set last, when closing.
        if (archive_write_close(writer.get()) != ARCHIVE_OK) problem("", archive_error(writer.get()));
        return std::move(result_);
    }

private:
    UserError read_error(archive* reader) const {
        return UserError("unable to read template archive '" + request_.archive + "': " + archive_error(reader));
    }

    void warn(const std::string& text) { result_.warnings.push_back(text); }

    // A failed entry stops the extraction unless errors are to be ignored.
    void problem(const std::string& name, const std::string& text) {
        std::string message = name.empty() ? text : "'" + name + "': " + text;
        if (!request_.ignore_errors) throw UserError("unable to extract template archive - " + message);
        warn(message);
    }

    void extract_entry(archive* reader, archive* writer, archive_entry* entry) {
        const char* raw_name = archive_entry_pathname(entry);
        std::string name = raw_name ? raw_name : "";
        if (is_inside_dev(name)) return;  // libarchive skips the unread data itself

        std::vector<std::string> problems;
        filter_xattrs(entry, request_.idmap, problems);
        if (!request_.idmap.empty()) {
            shift_owner(entry, request_.idmap, problems);
            shift_acl(entry, request_.idmap, problems);
        }
        if (!problems.empty()) {
            for (const auto& text : problems) problem(name, text);
            return;  // only reached when ignoring errors: the entry is skipped
        }
        std::optional<std::string> normalized;
        if (!request_.idmap.empty()) {
            normalized = normalized_name(name);
            if (normalized) create_parents_for_container(*normalized);
        }

        int status = archive_write_header(writer, entry);
        if (status < ARCHIVE_WARN) {
            problem(name, archive_error(writer));
            if (status == ARCHIVE_FATAL)
                throw UserError("unable to extract template archive - " + archive_error(writer));
            return;
        }
        if (status == ARCHIVE_WARN) warn("'" + name + "': " + archive_error(writer));
        ++result_.entries;
        if (normalized) {
            if (archive_entry_filetype(entry) == AE_IFDIR) known_directories_.insert(*normalized);
            else known_directories_.erase(*normalized);
        }
        if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0) copy_data(reader, writer, name);
        status = archive_write_finish_entry(writer);
        if (status == ARCHIVE_WARN) warn("'" + name + "': " + archive_error(writer));
        else if (status < ARCHIVE_WARN) problem(name, archive_error(writer));
    }

    // Block by block with offsets, so that holes of sparse files stay holes.
    void copy_data(archive* reader, archive* writer, const std::string& name) {
        while (true) {
            const void* block = nullptr;
            size_t size = 0;
            la_int64_t offset = 0;
            int status = archive_read_data_block(reader, &block, &size, &offset);
            if (status == ARCHIVE_EOF) return;
            if (status < ARCHIVE_WARN) throw read_error(reader);
            // libarchive reports a failed write(2), e.g. ENOSPC, as ARCHIVE_WARN.
            if (archive_write_data_block(writer, block, size, offset) != ARCHIVE_OK) {
                problem(name, archive_error(writer));
                return;
            }
            result_.bytes += size;
        }
    }

    // libarchive makes missing parent directories as the calling user, host
    // root; in an unprivileged container they belong to the container's
    // root, as they would had tar run in its user namespace. Components are
    // checked with lstat and never followed: a symlink or file in the way is
    // left for libarchive to refuse.
    void create_parents_for_container(const std::string& normalized) {
        size_t last_slash = normalized.rfind('/');
        if (last_slash == std::string::npos || known_directories_.count(normalized.substr(0, last_slash))) return;
        for (size_t end = normalized.find('/'); end != std::string::npos && end <= last_slash;
             end = normalized.find('/', end + 1)) {
            std::string prefix = normalized.substr(0, end);
            if (known_directories_.count(prefix)) continue;
            struct stat st {};
            if (::lstat(prefix.c_str(), &st) == 0) {
                if (!S_ISDIR(st.st_mode)) return;
            } else if (errno != ENOENT || ::mkdir(prefix.c_str(), 0755) != 0 ||
                       ::lchown(prefix.c_str(), static_cast<uid_t>(root_host_id(request_.idmap, 'u')),
                                static_cast<gid_t>(root_host_id(request_.idmap, 'g'))) != 0) {
                return;
            }
            known_directories_.insert(prefix);
        }
    }

    const UnpackRequest& request_;
    UnpackResult result_;
    // Directories inside the target known to exist (normalized names, "" is
    // the target), so that parents are checked once, not per entry.
    std::unordered_set<std::string> known_directories_{""};
};

}  // namespace

ArchiveCompression archive_compression_of(std::string_view path) {
    size_t slash = path.rfind('/');
    std::string_view file = slash == std::string_view::npos ? path : path.substr(slash + 1);
    // `.tar` followed by nothing or by one more suffix (Proxmox: /\.tar(\.[^\/]+)?$/).
    size_t tar = file.find(".tar");
    while (tar != std::string_view::npos) {
        std::string_view rest = file.substr(tar + 4);
        if (rest.empty()) return ArchiveCompression::none;
        if (rest.front() == '.') {
            if (rest == ".gz") return ArchiveCompression::gzip;
            if (rest == ".bz2") return ArchiveCompression::bzip2;
            if (rest == ".xz") return ArchiveCompression::xz;
            if (rest == ".lzo") return ArchiveCompression::lzop;
            if (rest == ".zst") return ArchiveCompression::zstd;
            throw UserError("unrecognized compression format: " + std::string(rest));
        }
        tar = file.find(".tar", tar + 1);
    }
    throw UserError("file does not look like a template archive: " + std::string(path));
}

std::optional<std::string> read_archive_member(const std::string& archive, std::string_view member) {
    if (member.starts_with("./")) member.remove_prefix(2);
    FileDescriptor file(::open(archive.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.get() < 0) throw UserError("unable to open archive '" + archive + "': " + errno_text());
    ReadArchive reader(archive_read_new());
    if (!reader) throw UserError("unable to read '" + archive + "': out of memory");
    archive_read_support_format_tar(reader.get());
    archive_read_support_filter_all(reader.get());
    if (archive_read_open_fd(reader.get(), file.get(), kReadBlockSize) != ARCHIVE_OK)
        throw UserError("unable to read archive '" + archive + "': " + archive_error(reader.get()));
    while (true) {
        archive_entry* entry = nullptr;
        int status = archive_read_next_header(reader.get(), &entry);
        if (status == ARCHIVE_EOF) return std::nullopt;
        if (status != ARCHIVE_OK && status != ARCHIVE_WARN)
            throw UserError("unable to read archive '" + archive + "': " + archive_error(reader.get()));
        std::string_view name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
        if (name.starts_with("./")) name.remove_prefix(2);
        if (name != member || archive_entry_filetype(entry) != AE_IFREG) continue;
        constexpr la_int64_t kLimit = 16 << 20;
        if (archive_entry_size(entry) > kLimit) throw UserError("'" + std::string(member) + "' in '" + archive + "' is too big");
        std::string data(static_cast<size_t>(archive_entry_size(entry)), '\0');
        la_ssize_t got = archive_read_data(reader.get(), data.data(), data.size());
        if (got < 0) throw UserError("unable to read archive '" + archive + "': " + archive_error(reader.get()));
        data.resize(static_cast<size_t>(got));
        return data;
    }
}

UnpackResult ArchiveUnpacker::unpack(const UnpackRequest& request) { return Extraction(request).run(); }

}  // namespace pct
