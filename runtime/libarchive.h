#pragma once
// libarchive, loaded on first use (dlopen) instead of at every start of pct:
// with the ten libraries it pulls in (libxml2, ICU, the compressors...) it
// made up about a third of the start-up time of every pct command (0.8 ms
// of CPU here), while only create and pveam use it.
//
// Include this instead of <archive.h>. Inside namespace pct each name below
// is an object that looks the function of the same name up on its first
// call and forwards to it, so calls read as usual (`archive_read_new()`);
// it also converts to a plain function pointer. A function not listed here
// fails to link (pct does not link libarchive): add it to the list.
#include <archive.h>
#include <archive_entry.h>

#include <atomic>
#include <utility>

namespace pct {

namespace libarchive_loader {
// dlopen()s libarchive once and looks `name` up in it. Throws UserError when
// the library or the function is missing.
void* resolve(const char* name);
}  // namespace libarchive_loader

template <typename F>
class LazyArchiveFunction {
public:
    explicit constexpr LazyArchiveFunction(const char* name) : name_(name) {}
    F* get() const {
        F* function = function_.load(std::memory_order_acquire);
        if (!function) {
            function = reinterpret_cast<F*>(libarchive_loader::resolve(name_));
            function_.store(function, std::memory_order_release);
        }
        return function;
    }
    operator F*() const { return get(); }
    template <typename... Args>
    decltype(auto) operator()(Args&&... args) const {
        return get()(std::forward<Args>(args)...);
    }

private:
    const char* name_;
    mutable std::atomic<F*> function_{nullptr};
};

#define PCT_LIBARCHIVE_FUNCTION(name) inline LazyArchiveFunction<decltype(::name)> name{#name};
PCT_LIBARCHIVE_FUNCTION(archive_entry_acl_add_entry)
PCT_LIBARCHIVE_FUNCTION(archive_entry_acl_clear)
PCT_LIBARCHIVE_FUNCTION(archive_entry_acl_count)
PCT_LIBARCHIVE_FUNCTION(archive_entry_acl_next)
PCT_LIBARCHIVE_FUNCTION(archive_entry_acl_reset)
PCT_LIBARCHIVE_FUNCTION(archive_entry_clear)
PCT_LIBARCHIVE_FUNCTION(archive_entry_copy_pathname)
PCT_LIBARCHIVE_FUNCTION(archive_entry_filetype)
PCT_LIBARCHIVE_FUNCTION(archive_entry_free)
PCT_LIBARCHIVE_FUNCTION(archive_entry_gid)
PCT_LIBARCHIVE_FUNCTION(archive_entry_hardlink)
PCT_LIBARCHIVE_FUNCTION(archive_entry_linkify)
PCT_LIBARCHIVE_FUNCTION(archive_entry_linkresolver_free)
PCT_LIBARCHIVE_FUNCTION(archive_entry_linkresolver_new)
PCT_LIBARCHIVE_FUNCTION(archive_entry_linkresolver_set_strategy)
PCT_LIBARCHIVE_FUNCTION(archive_entry_new)
PCT_LIBARCHIVE_FUNCTION(archive_entry_pathname)
PCT_LIBARCHIVE_FUNCTION(archive_entry_perm)
PCT_LIBARCHIVE_FUNCTION(archive_entry_set_filetype)
PCT_LIBARCHIVE_FUNCTION(archive_entry_set_gid)
PCT_LIBARCHIVE_FUNCTION(archive_entry_set_gname)
PCT_LIBARCHIVE_FUNCTION(archive_entry_set_hardlink)
PCT_LIBARCHIVE_FUNCTION(archive_entry_set_mtime)
PCT_LIBARCHIVE_FUNCTION(archive_entry_set_pathname)
PCT_LIBARCHIVE_FUNCTION(archive_entry_set_perm)
PCT_LIBARCHIVE_FUNCTION(archive_entry_set_size)
PCT_LIBARCHIVE_FUNCTION(archive_entry_set_symlink)
PCT_LIBARCHIVE_FUNCTION(archive_entry_set_uid)
PCT_LIBARCHIVE_FUNCTION(archive_entry_set_uname)
PCT_LIBARCHIVE_FUNCTION(archive_entry_size)
PCT_LIBARCHIVE_FUNCTION(archive_entry_size_is_set)
PCT_LIBARCHIVE_FUNCTION(archive_entry_sparse_add_entry)
PCT_LIBARCHIVE_FUNCTION(archive_entry_symlink)
PCT_LIBARCHIVE_FUNCTION(archive_entry_uid)
PCT_LIBARCHIVE_FUNCTION(archive_entry_xattr_add_entry)
PCT_LIBARCHIVE_FUNCTION(archive_entry_xattr_clear)
PCT_LIBARCHIVE_FUNCTION(archive_entry_xattr_count)
PCT_LIBARCHIVE_FUNCTION(archive_entry_xattr_next)
PCT_LIBARCHIVE_FUNCTION(archive_entry_xattr_reset)
PCT_LIBARCHIVE_FUNCTION(archive_error_string)
PCT_LIBARCHIVE_FUNCTION(archive_format)
PCT_LIBARCHIVE_FUNCTION(archive_free)
PCT_LIBARCHIVE_FUNCTION(archive_read_data)
PCT_LIBARCHIVE_FUNCTION(archive_read_data_block)
PCT_LIBARCHIVE_FUNCTION(archive_read_disk_descend)
PCT_LIBARCHIVE_FUNCTION(archive_read_disk_new)
PCT_LIBARCHIVE_FUNCTION(archive_read_disk_open)
PCT_LIBARCHIVE_FUNCTION(archive_read_disk_set_behavior)
PCT_LIBARCHIVE_FUNCTION(archive_read_disk_set_symlink_physical)
PCT_LIBARCHIVE_FUNCTION(archive_read_free)
PCT_LIBARCHIVE_FUNCTION(archive_read_new)
PCT_LIBARCHIVE_FUNCTION(archive_read_next_header)
PCT_LIBARCHIVE_FUNCTION(archive_read_next_header2)
PCT_LIBARCHIVE_FUNCTION(archive_read_open)
PCT_LIBARCHIVE_FUNCTION(archive_read_open_fd)
PCT_LIBARCHIVE_FUNCTION(archive_read_open_filename)
PCT_LIBARCHIVE_FUNCTION(archive_read_open_memory)
PCT_LIBARCHIVE_FUNCTION(archive_read_support_filter_all)
PCT_LIBARCHIVE_FUNCTION(archive_read_support_filter_bzip2)
PCT_LIBARCHIVE_FUNCTION(archive_read_support_filter_gzip)
PCT_LIBARCHIVE_FUNCTION(archive_read_support_filter_lzop)
PCT_LIBARCHIVE_FUNCTION(archive_read_support_filter_xz)
PCT_LIBARCHIVE_FUNCTION(archive_read_support_filter_zstd)
PCT_LIBARCHIVE_FUNCTION(archive_read_support_format_raw)
PCT_LIBARCHIVE_FUNCTION(archive_read_support_format_tar)
PCT_LIBARCHIVE_FUNCTION(archive_write_add_filter_bzip2)
PCT_LIBARCHIVE_FUNCTION(archive_write_add_filter_gzip)
PCT_LIBARCHIVE_FUNCTION(archive_write_add_filter_lzop)
PCT_LIBARCHIVE_FUNCTION(archive_write_add_filter_xz)
PCT_LIBARCHIVE_FUNCTION(archive_write_add_filter_zstd)
PCT_LIBARCHIVE_FUNCTION(archive_write_close)
PCT_LIBARCHIVE_FUNCTION(archive_write_data)
PCT_LIBARCHIVE_FUNCTION(archive_write_data_block)
PCT_LIBARCHIVE_FUNCTION(archive_write_disk_new)
PCT_LIBARCHIVE_FUNCTION(archive_write_disk_set_options)
PCT_LIBARCHIVE_FUNCTION(archive_write_finish_entry)
PCT_LIBARCHIVE_FUNCTION(archive_write_free)
PCT_LIBARCHIVE_FUNCTION(archive_write_header)
PCT_LIBARCHIVE_FUNCTION(archive_write_new)
PCT_LIBARCHIVE_FUNCTION(archive_write_open_fd)
PCT_LIBARCHIVE_FUNCTION(archive_write_open_filename)
PCT_LIBARCHIVE_FUNCTION(archive_write_set_bytes_in_last_block)
PCT_LIBARCHIVE_FUNCTION(archive_write_set_filter_option)
PCT_LIBARCHIVE_FUNCTION(archive_write_set_format_pax_restricted)
// Spelled out: decltype would carry its printf format attribute along.
inline LazyArchiveFunction<void(archive*, int, const char*, ...)> archive_set_error{"archive_set_error"};
#undef PCT_LIBARCHIVE_FUNCTION

}  // namespace pct
