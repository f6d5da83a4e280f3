#include "core/guest/guest_files.h"

#include <vector>

namespace pct::guest {

namespace {

constexpr int kMaxSymlinkHops = 40;

std::pair<std::string, std::string> split_directory(std::string_view path) {
    size_t slash = path.rfind('/');
    if (slash == std::string_view::npos) return {"", std::string(path)};
    return {std::string(path.substr(0, slash + 1)), std::string(path.substr(slash + 1))};
}

std::vector<std::string> components_of(std::string_view path) {
    std::vector<std::string> components;
    size_t start = 0;
    while (start < path.size()) {
        size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) slash = path.size();
        if (slash > start) components.emplace_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return components;
}

}  // namespace

bool GuestFiles::is_ignored(std::string_view path) const {
    auto [directory, name] = split_directory(path);
    return exists(directory + ".pve-ignore." + name);
}

bool GuestFiles::exists(std::string_view path) const {
    auto status = fs_.stat(path);
    return status && status->type == GuestFileType::Regular;
}

bool GuestFiles::is_directory(std::string_view path) const {
    auto status = fs_.stat(path);
    return status && status->type == GuestFileType::Directory;
}

bool GuestFiles::is_symlink(std::string_view path) const {
    auto status = fs_.lstat(path);
    return status && status->type == GuestFileType::Symlink;
}

bool GuestFiles::is_executable(std::string_view path) const {
    auto status = fs_.stat(path);
    return status && (status->mode & 0111) != 0;
}

bool GuestFiles::exists_at_all(std::string_view path) const { return fs_.stat(path).has_value(); }

std::string GuestFiles::read(std::string_view path) const { return fs_.read(path); }

std::optional<std::string> GuestFiles::read_first_line(std::string_view path) const {
    if (!exists(path)) return std::nullopt;
    auto text = fs_.read(path);
    if (text.empty()) return std::nullopt;  // no line at all
    return text.substr(0, text.find('\n'));
}

std::optional<std::string> GuestFiles::readlink(std::string_view path) const {
    if (!is_symlink(path)) return std::nullopt;
    return fs_.readlink(path);
}

std::string GuestFiles::canonical_path(std::string_view path) const {
    auto pending = components_of(path);
    std::vector<std::string> resolved;
    int hops = 0;
    for (size_t i = 0; i < pending.size(); ++i) {
        const std::string& component = pending[i];
        if (component == ".") continue;
        if (component == "..") {
            if (!resolved.empty()) resolved.pop_back();
            continue;
        }
        resolved.push_back(component);
        std::string current;
        for (const auto& part : resolved) current += "/" + part;
        if (!is_symlink(current) || ++hops > kMaxSymlinkHops) continue;
        std::string target = fs_.readlink(current);
        resolved.pop_back();
        if (target.starts_with('/')) resolved.clear();
        auto target_components = components_of(target);
        pending.insert(pending.begin() + static_cast<long>(i) + 1, target_components.begin(),
                       target_components.end());
    }
    std::string canonical;
    for (const auto& part : resolved) canonical += "/" + part;
    return canonical.empty() ? "/" : canonical;
}

void GuestFiles::write(std::string_view path, std::string_view data, uint32_t mode) {
    if (is_ignored(path)) return;
    fs_.write(path, data, mode);
}

void GuestFiles::modify(std::string_view path, std::string data, const SectionUpdate& update) {
    if (is_ignored(path)) return;
    std::optional<std::string> old_content;
    if (exists(path)) old_content = fs_.read(path);
    auto edit = edit_managed_section(old_content, std::move(data), update.placement, update.delete_when_empty);
    switch (edit.action) {
        case SectionEdit::Action::Keep:
            break;
        case SectionEdit::Action::Write:
            fs_.write(path, edit.content, edit.use_given_mode ? update.mode : 0644);
            break;
        case SectionEdit::Action::Remove:
            unlink(path);
            break;
    }
}

bool GuestFiles::unlink(std::string_view path) {
    if (is_ignored(path)) return false;
    try {
        fs_.unlink(path);
        return true;
    } catch (const GuestFsError&) {
        return false;
    }
}

bool GuestFiles::rename(std::string_view from, std::string_view to) {
    if (is_ignored(to)) return false;
    try {
        fs_.rename(from, to);
        return true;
    } catch (const GuestFsError&) {
        return false;
    }
}

bool GuestFiles::symlink(std::string_view target, std::string_view link_path) {
    if (is_ignored(link_path)) return false;
    try {
        fs_.symlink(target, link_path);
        return true;
    } catch (const GuestFsError&) {
        return false;
    }
}

bool GuestFiles::mkdir(std::string_view path, uint32_t mode) {
    try {
        fs_.mkdir(path, mode);
        return true;
    } catch (const GuestFsError&) {
        return false;
    }
}

void GuestFiles::make_path(std::string_view path) {
    std::string current;
    for (const auto& component : components_of(path)) {
        current += "/" + component;
        if (!is_directory(current)) mkdir(current);
    }
}

}  // namespace pct::guest
