#include "fakes/memory_guest_fs.h"

#include <deque>

namespace pct {

namespace {

constexpr int kMaxSymlinkHops = 40;  // the kernel's limit (ELOOP)

std::deque<std::string> split_components(std::string_view path) {
    std::deque<std::string> components;
    size_t start = 0;
    while (start <= path.size()) {
        size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) slash = path.size();
        if (slash > start) components.emplace_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return components;
}

std::string join_components(const std::vector<std::string>& components) {
    if (components.empty()) return "/";
    std::string path;
    for (const auto& component : components) path += "/" + component;
    return path;
}

// A test-setup path taken literally: "/a//b/" -> "/a/b".
std::string literal_path(const std::string& path) {
    auto components = split_components(path);
    return join_components({components.begin(), components.end()});
}

bool is_at_or_below(const std::string& path, const std::string& base) {
    if (base == "/") return true;
    return path == base || (path.size() > base.size() && path.compare(0, base.size(), base) == 0 &&
                            path[base.size()] == '/');
}

[[noreturn]] void fail(std::string_view operation, std::string_view path, std::string_view cause) {
    throw GuestFsError("unable to " + std::string(operation) + " '" + std::string(path) + "': " +
                       std::string(cause));
}

GuestFileStatus status_of(const MemoryGuestFs::Entry& entry) {
    return GuestFileStatus{entry.type, entry.mode, entry.uid, entry.gid};
}

}  // namespace

MemoryGuestFs::MemoryGuestFs(std::optional<Owner> new_entry_owner)
    : new_entry_owner_(new_entry_owner.value_or(Owner{})) {
    entries_["/"] = Entry{GuestFileType::Directory, "", 0755, 0, 0};
}

void MemoryGuestFs::ensure_parents(const std::string& path) {
    std::vector<std::string> components;
    auto all = split_components(path);
    if (!all.empty()) all.pop_back();
    for (const auto& component : all) {
        components.push_back(component);
        auto canonical = join_components(components);
        if (!entries_.count(canonical)) entries_[canonical] = Entry{GuestFileType::Directory, "", 0755, 0, 0};
    }
}

void MemoryGuestFs::add_file(const std::string& path, const std::string& content, uint32_t mode) {
    ensure_parents(path);
    entries_[literal_path(path)] = Entry{GuestFileType::Regular, content, mode, 0, 0};
}

void MemoryGuestFs::add_directory(const std::string& path, uint32_t mode) {
    ensure_parents(path);
    entries_[literal_path(path)] = Entry{GuestFileType::Directory, "", mode, 0, 0};
}

void MemoryGuestFs::add_symlink(const std::string& path, const std::string& target) {
    ensure_parents(path);
    entries_[literal_path(path)] = Entry{GuestFileType::Symlink, target, 0777, 0, 0};
}

void MemoryGuestFs::remove(const std::string& path) {
    auto canonical = literal_path(path);
    std::erase_if(entries_, [&](const auto& item) { return is_at_or_below(item.first, canonical); });
    if (canonical == "/") entries_["/"] = Entry{GuestFileType::Directory, "", 0755, 0, 0};
}

void MemoryGuestFs::make_read_only(const std::string& path) { read_only_paths_.push_back(path); }

const MemoryGuestFs::Entry* MemoryGuestFs::entry(const std::string& path) const {
    return find(literal_path(path));
}

std::optional<std::string> MemoryGuestFs::file_content(const std::string& path) const {
    auto status = stat(path);
    if (!status || status->type != GuestFileType::Regular) return std::nullopt;
    return read(path);
}

const MemoryGuestFs::Entry* MemoryGuestFs::find(const std::string& canonical) const {
    auto it = entries_.find(canonical);
    return it == entries_.end() ? nullptr : &it->second;
}

std::string MemoryGuestFs::resolve(std::string_view path, bool follow_last) const {
    auto pending = split_components(path);
    std::vector<std::string> resolved;
    int hops = 0;
    while (!pending.empty()) {
        std::string component = pending.front();
        pending.pop_front();
        bool last = pending.empty();
        if (component == ".") continue;
        if (component == "..") {
            if (!resolved.empty()) resolved.pop_back();
            continue;
        }
        resolved.push_back(component);
        const Entry* found = find(join_components(resolved));
        if (found && found->type == GuestFileType::Symlink && (!last || follow_last)) {
            if (++hops > kMaxSymlinkHops) fail("resolve", path, "Too many levels of symbolic links");
            resolved.pop_back();
            auto target = split_components(found->data);
            pending.insert(pending.begin(), target.begin(), target.end());
            if (!found->data.empty() && found->data.front() == '/') resolved.clear();
            continue;
        }
        if (!last && !found) fail("resolve", path, "No such file or directory");
        if (!last && found->type != GuestFileType::Directory) fail("resolve", path, "Not a directory");
    }
    return join_components(resolved);
}

void MemoryGuestFs::check_writable(std::string_view path, const std::string& canonical) const {
    for (const auto& read_only : read_only_paths_) {
        if (is_at_or_below(canonical, read_only)) fail("modify", path, "Read-only file system");
    }
}

MemoryGuestFs::Entry MemoryGuestFs::new_entry(GuestFileType type, std::string data, uint32_t mode) const {
    return Entry{type, std::move(data), mode, new_entry_owner_.uid, new_entry_owner_.gid};
}

std::optional<GuestFileStatus> MemoryGuestFs::stat(std::string_view path) const {
    try {
        const Entry* found = find(resolve(path, true));
        if (!found) return std::nullopt;
        return status_of(*found);
    } catch (const GuestFsError&) {
        return std::nullopt;
    }
}

std::optional<GuestFileStatus> MemoryGuestFs::lstat(std::string_view path) const {
    try {
        const Entry* found = find(resolve(path, false));
        if (!found) return std::nullopt;
        return status_of(*found);
    } catch (const GuestFsError&) {
        return std::nullopt;
    }
}

std::string MemoryGuestFs::read(std::string_view path, size_t max_bytes) const {
    const Entry* found = find(resolve(path, true));
    if (!found) fail("read", path, "No such file or directory");
    if (found->type == GuestFileType::Directory) fail("read", path, "Is a directory");
    return found->data.substr(0, max_bytes);
}

void MemoryGuestFs::write(std::string_view path, std::string_view data, uint32_t mode) {
    auto canonical = resolve(path, false);
    check_writable(path, canonical);
    const Entry* existing = find(canonical);
    if (canonical == "/" || (existing && existing->type == GuestFileType::Directory))
        fail("write", path, "Is a directory");
    entries_[canonical] = new_entry(GuestFileType::Regular, std::string(data), mode);
}

bool MemoryGuestFs::is_writable(std::string_view path) const {
    try {
        auto canonical = resolve(path, true);
        if (!find(canonical)) return false;
        check_writable(path, canonical);
        return true;
    } catch (const GuestFsError&) {
        return false;
    }
}

void MemoryGuestFs::mkdir(std::string_view path, uint32_t mode) {
    auto canonical = resolve(path, false);
    check_writable(path, canonical);
    if (find(canonical)) fail("create directory", path, "File exists");
    entries_[canonical] = new_entry(GuestFileType::Directory, "", mode);
}

void MemoryGuestFs::symlink(std::string_view target, std::string_view link_path) {
    auto canonical = resolve(link_path, false);
    check_writable(link_path, canonical);
    if (find(canonical)) fail("create symlink", link_path, "File exists");
    entries_[canonical] = new_entry(GuestFileType::Symlink, std::string(target), 0777);
}

std::string MemoryGuestFs::readlink(std::string_view path) const {
    const Entry* found = find(resolve(path, false));
    if (!found) fail("read link", path, "No such file or directory");
    if (found->type != GuestFileType::Symlink) fail("read link", path, "Invalid argument");
    return found->data;
}

void MemoryGuestFs::chmod(std::string_view path, uint32_t mode) {
    auto canonical = resolve(path, true);
    check_writable(path, canonical);
    auto it = entries_.find(canonical);
    if (it == entries_.end()) fail("chmod", path, "No such file or directory");
    it->second.mode = mode & 07777;
}

void MemoryGuestFs::chown(std::string_view path, uint64_t uid, uint64_t gid) {
    auto canonical = resolve(path, true);
    check_writable(path, canonical);
    auto it = entries_.find(canonical);
    if (it == entries_.end()) fail("chown", path, "No such file or directory");
    it->second.uid = uid;
    it->second.gid = gid;
}

void MemoryGuestFs::unlink(std::string_view path) {
    auto canonical = resolve(path, false);
    check_writable(path, canonical);
    const Entry* found = find(canonical);
    if (!found) fail("unlink", path, "No such file or directory");
    if (found->type == GuestFileType::Directory) fail("unlink", path, "Is a directory");
    entries_.erase(canonical);
}

void MemoryGuestFs::rename(std::string_view from, std::string_view to) {
    auto source = resolve(from, false);
    auto destination = resolve(to, false);
    check_writable(from, source);
    check_writable(to, destination);
    const Entry* moved = find(source);
    if (!moved) fail("rename", from, "No such file or directory");
    if (source == destination) return;
    if (is_at_or_below(destination, source)) fail("rename", to, "Invalid argument");
    const Entry* replaced = find(destination);
    if (replaced && replaced->type == GuestFileType::Directory) {
        if (moved->type != GuestFileType::Directory) fail("rename", to, "Is a directory");
        for (const auto& [name, entry] : entries_) {
            if (name != destination && is_at_or_below(name, destination))
                fail("rename", to, "Directory not empty");
        }
    }
    std::map<std::string, Entry> subtree;
    for (const auto& [name, entry] : entries_) {
        if (is_at_or_below(name, source)) subtree[destination + name.substr(source.size())] = entry;
    }
    std::erase_if(entries_, [&](const auto& item) { return is_at_or_below(item.first, source); });
    entries_.erase(destination);
    entries_.merge(subtree);
}

std::vector<std::string> MemoryGuestFs::list_directory(std::string_view path) const {
    auto canonical = resolve(path, true);
    const Entry* found = find(canonical);
    if (!found) fail("list", path, "No such file or directory");
    if (found->type != GuestFileType::Directory) fail("list", path, "Not a directory");
    std::vector<std::string> names;
    std::string prefix = canonical == "/" ? "/" : canonical + "/";
    for (auto it = entries_.lower_bound(prefix); it != entries_.end(); ++it) {
        if (it->first.compare(0, prefix.size(), prefix) != 0) break;
        std::string rest = it->first.substr(prefix.size());
        if (!rest.empty() && rest.find('/') == std::string::npos) names.push_back(rest);
    }
    return names;
}

}  // namespace pct
