#pragma once
// /etc/pve/storage.cfg (config.md §11.1): parser, writer, the forced `local`
// storage and the content checks container commands need. Only `dir` and
// `btrfs` storages are usable by this project; other Proxmox storage types
// are kept (and written back) but report supported() == false.
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pct {

struct StorageDefinition {
    std::string type;  // lower-case: "dir", "btrfs", "lvm", ...
    std::string id;
    // Key/value pairs in file order; a key written without a value is stored
    // as "1" (booleans).
    std::vector<std::pair<std::string, std::string>> properties;

    bool supported() const;  // dir and btrfs
    std::optional<std::string> get(std::string_view key) const;
    void set(std::string_view key, std::string value);  // replaces in place or appends
    void erase(std::string_view key);

    std::string path() const;  // "" when not set
    // The `content` list, or the type's default when absent (dir/btrfs:
    // images,rootdir); `none` is the empty set.
    std::set<std::string> content() const;
    bool disabled() const;
};

struct StorageConfig {
    std::vector<StorageDefinition> storages;  // file order
    std::vector<std::string> warnings;        // problems the lenient parser skipped over

    const StorageDefinition* find(std::string_view id) const;
};

// Lenient, like Proxmox: each problem becomes a warning ("file <file_name>
// line <n> ...") and parsing goes on. Sections with an invalid storage id or
// a type Proxmox does not know are skipped; known but unsupported types are
// kept. Lines whose first non-blank character is '#' are ignored.
StorageConfig parse_storage_config(std::string_view text, std::string_view file_name = "/etc/pve/storage.cfg");

// Proxmox's rule for `local`: when missing, not `dir`, or at a path other
// than `default_local_path`, it becomes a dir storage at that path with
// content backup,images,iso,rootdir,snippets,vztmpl and prune-backups
// keep-all=1 (kept in place when it existed, first otherwise). `nodes` and
// `shared` never apply to it. The caller passes the path because it lives
// under $PCT_ROOT (`<PCT_ROOT>/var/lib/vz`).
StorageConfig with_local_storage(StorageConfig config, std::string default_local_path);

// Canonical text: sections in order, each `<type>: <id>`, then `comment`,
// `disable` (bare, only when set), the type's required keys, the remaining
// keys in ASCII order; TAB-indented; booleans as 1/0; `content` sorted; a
// blank line after each section.
std::string write_storage_config(const StorageConfig& config);

// Container volumes need content `rootdir`. Throws UserError
// `storage '<s>' does not exist` or
// `storage '<s>' does not allow content type 'rootdir' (Container)`.
const StorageDefinition& require_rootdir_storage(const StorageConfig& config, std::string_view storage);

}  // namespace pct
