#include "runtime/backup_archive_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

#include "core/error.h"
#include "runtime/libarchive.h"

namespace pct {

namespace {

struct ArchiveFree {
    void operator()(archive* a) const { archive_free(a); }
};
struct EntryFree {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};
struct ResolverFree {
    void operator()(archive_entry_linkresolver* r) const { archive_entry_linkresolver_free(r); }
};
using Archive = std::unique_ptr<archive, ArchiveFree>;
using Entry = std::unique_ptr<archive_entry, EntryFree>;

std::string error_of(archive* a) {
    const char* text = archive_error_string(a);
    return text ? text : "unknown error";
}

int64_t container_id(const std::vector<IdMapEntry>& map, char type, int64_t host) {
    if (map.empty()) return host;
    for (const auto& entry : map)
        if (entry.type == type && static_cast<uint64_t>(host) >= entry.host_start &&
            static_cast<uint64_t>(host) < entry.host_start + entry.count)
            return static_cast<int64_t>(entry.container_start + (static_cast<uint64_t>(host) - entry.host_start));
    return 65534;  // what a tar inside the user namespace sees for unmapped ids
}

int set_filter(archive* writer, BackupCompression compress) {
    switch (compress) {
        case BackupCompression::None: return ARCHIVE_OK;
        case BackupCompression::Gzip: return archive_write_add_filter_gzip(writer);
        case BackupCompression::Lzo: return archive_write_add_filter_lzop(writer);
        case BackupCompression::Zstd: return archive_write_add_filter_zstd(writer);
    }
    return ARCHIVE_FATAL;
}

class Writer {
public:
    explicit Writer(const BackupArchiveRequest& request) : request_(request), writer_(archive_write_new()) {
        if (!writer_) throw UserError("out of memory");
        archive_write_set_format_pax_restricted(writer_.get());
        if (set_filter(writer_.get(), request.compress) != ARCHIVE_OK)
            throw UserError("unable to use this compression: " + error_of(writer_.get()));
        if (archive_write_open_filename(writer_.get(), request.output.c_str()) != ARCHIVE_OK)
            throw UserError("unable to create '" + request.output + "': " + error_of(writer_.get()));
        resolver_.reset(archive_entry_linkresolver_new());
        archive_entry_linkresolver_set_strategy(resolver_.get(), archive_format(writer_.get()));
    }

    BackupArchiveResult run() {
        std::time_t now = std::time(nullptr);
        add_file("./etc/vzdump/pct.conf", request_.config_text, now);
        add_file("./etc/vzdump/pct.fw", request_.firewall_text, now);
        for (const auto& source : request_.sources) add_tree(source);
        if (archive_write_close(writer_.get()) != ARCHIVE_OK) throw UserError("write error: " + error_of(writer_.get()));
        return result_;
    }

private:
    void add_file(const std::string& name, const std::string& data, std::time_t now) {
        Entry entry(archive_entry_new());
        archive_entry_set_pathname(entry.get(), name.c_str());
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), 0644);
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(data.size()));
        archive_entry_set_mtime(entry.get(), now, 0);
        write_header(entry.get());
        if (!data.empty() && archive_write_data(writer_.get(), data.data(), data.size()) < 0)
            throw UserError("write error: " + error_of(writer_.get()));
    }

    void write_header(archive_entry* entry) {
        int status = archive_write_header(writer_.get(), entry);
        if (status < ARCHIVE_WARN) throw UserError("write error: " + error_of(writer_.get()));
        ++result_.entries;
    }

    void add_tree(const std::string& source) {
        std::string name = source == "/" ? "." : "." + source;
        std::string host = request_.root + (source == "/" ? "" : source);
        Archive disk(archive_read_disk_new());
        archive_read_disk_set_behavior(disk.get(), ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
        archive_read_disk_set_symlink_physical(disk.get());
        // The walk runs with the mounted root as working directory, so that
        // entry names come out as ./path.
        int saved = ::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (saved < 0 || ::chdir(request_.root.c_str()) != 0) {
            if (saved >= 0) ::close(saved);
            throw UserError("cannot enter '" + request_.root + "': " + std::strerror(errno));
        }
        struct Restore {
            int fd;
            ~Restore() {
                if (fchdir(fd) != 0) {
                }
                ::close(fd);
            }
        } restore{saved};
        if (archive_read_disk_open(disk.get(), name.c_str()) != ARCHIVE_OK)
            throw UserError("cannot read '" + host + "': " + error_of(disk.get()));
        std::vector<char> buffer(1 << 20);
        while (true) {
            Entry entry(archive_entry_new());
            int status = archive_read_next_header2(disk.get(), entry.get());
            if (status == ARCHIVE_EOF) break;
            if (status < ARCHIVE_WARN) throw UserError("cannot read '" + host + "': " + error_of(disk.get()));
            std::string path = archive_entry_pathname(entry.get());
            bool directory = archive_entry_filetype(entry.get()) == AE_IFDIR;
            // A mount point's own directory comes from the tree above it.
            if (source != "/" && path == name) {
                archive_read_disk_descend(disk.get());
                continue;
            }
            if (backup_path_excluded(path, request_.excludes)) continue;  // not descended either
            if (directory) archive_read_disk_descend(disk.get());
            archive_entry_set_uid(entry.get(), container_id(request_.idmap, 'u', archive_entry_uid(entry.get())));
            archive_entry_set_gid(entry.get(), container_id(request_.idmap, 'g', archive_entry_gid(entry.get())));
            archive_entry_set_uname(entry.get(), nullptr);
            archive_entry_set_gname(entry.get(), nullptr);
            bool regular = archive_entry_filetype(entry.get()) == AE_IFREG;
            archive_entry* sparse = nullptr;
            archive_entry* linked = entry.get();
            archive_entry_linkify(resolver_.get(), &linked, &sparse);
            if (!linked) continue;  // deferred by the resolver (not for pax)
            bool has_data = regular && archive_entry_size(linked) > 0 && !archive_entry_hardlink(linked);
            write_header(linked);
            if (has_data) copy_data(disk.get(), buffer);
            result_.bytes += static_cast<uint64_t>(archive_entry_size(linked));
        }
    }

    void copy_data(archive* disk, std::vector<char>& buffer) {
        while (true) {
            la_ssize_t got = archive_read_data(disk, buffer.data(), buffer.size());
            if (got < 0) throw UserError("read error: " + error_of(disk));
            if (got == 0) break;
            if (archive_write_data(writer_.get(), buffer.data(), static_cast<size_t>(got)) < 0)
                throw UserError("write error: " + error_of(writer_.get()));
        }
    }

    const BackupArchiveRequest& request_;
    Archive writer_;
    std::unique_ptr<archive_entry_linkresolver, ResolverFree> resolver_;
    BackupArchiveResult result_;
};

}  // namespace

bool backup_compression_available(BackupCompression compress) {
    Archive writer(archive_write_new());
    return set_filter(writer.get(), compress) == ARCHIVE_OK;
}

BackupArchiveResult write_backup_archive(const BackupArchiveRequest& request) {
    try {
        return Writer(request).run();
    } catch (...) {
        ::unlink(request.output.c_str());
        throw;
    }
}

}  // namespace pct
