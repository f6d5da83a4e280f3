#include "core/volume_id.h"

#include <array>
#include <initializer_list>
#include <limits>
#include <set>
#include <utility>

#include "core/error.h"

namespace pct {

namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// The limit Proxmox puts on disk indexes per guest and storage.
constexpr int kMaxDisksPerGuest = 1024;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_alpha(char c) { return c >= 'a' && c <= 'z'; }

// Perl's \s, since the reference grammar is written as Perl regexes.
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool all_digits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text)
        if (!is_digit(c)) return false;
    return true;
}

bool has_space(std::string_view text) {
    for (char c : text)
        if (is_space(c)) return true;
    return false;
}

bool ends_with_ci(std::string_view text, std::string_view suffix) {
    if (text.size() < suffix.size()) return false;
    const std::string_view tail = text.substr(text.size() - suffix.size());
    for (size_t i = 0; i < suffix.size(); ++i)
        if (to_lower(tail[i]) != suffix[i]) return false;
    return true;
}

// Some non-empty text, then exactly one of `suffixes` (compared case-insensitively when asked).
bool has_suffix_after_name(std::string_view file, std::initializer_list<std::string_view> suffixes,
                           bool ignore_case) {
    for (std::string_view suffix : suffixes) {
        const bool matches = ignore_case ? ends_with_ci(file, suffix)
                                         : (file.size() >= suffix.size() && file.ends_with(suffix));
        if (matches && file.size() > suffix.size()) return true;
    }
    return false;
}

std::optional<uint64_t> parse_u64(std::string_view digits) {
    uint64_t value = 0;
    for (char c : digits) {
        const uint64_t digit = static_cast<uint64_t>(c - '0');
        if (value > (kMax - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

std::optional<int> parse_int(std::string_view digits) {
    auto value = parse_u64(digits);
    if (!value || *value > static_cast<uint64_t>(std::numeric_limits<int>::max())) return std::nullopt;
    return static_cast<int>(*value);
}

// floor((integer_digits.fraction_digits) * multiplier), exactly; nullopt on
// overflow. The fraction is multiplied digit by digit from the right like
// long multiplication, so no precision is lost whatever its length.
std::optional<uint64_t> scale_decimal(std::string_view integer_digits, std::string_view fraction_digits,
                                      uint64_t multiplier) {
    uint64_t carry = 0;  // stays below multiplier
    for (size_t i = fraction_digits.size(); i-- > 0;)
        carry = (static_cast<uint64_t>(fraction_digits[i] - '0') * multiplier + carry) / 10;
    auto whole = parse_u64(integer_digits);
    if (!whole || (*whole != 0 && *whole > kMax / multiplier)) return std::nullopt;
    const uint64_t scaled = *whole * multiplier;
    if (scaled > kMax - carry) return std::nullopt;
    return scaled + carry;
}

// `\d+(\.\d+)?` split into its two digit runs.
std::optional<std::pair<std::string_view, std::string_view>> split_decimal(std::string_view text) {
    const size_t dot = text.find('.');
    const std::string_view integer = text.substr(0, dot);
    const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (!all_digits(integer)) return std::nullopt;
    if (dot != std::string_view::npos && !all_digits(fraction)) return std::nullopt;
    return std::pair{integer, fraction};
}

// `(vm-|base-|subvol-)<vmid>-<rest>.<raw|qcow2|vmdk|subvol>` with no '/' or
// whitespace; returns the format and whether it is a base image.
std::optional<std::pair<ImageFormat, bool>> parse_image_file_name(std::string_view name) {
    if (name.find('/') != std::string_view::npos || has_space(name)) return std::nullopt;
    std::string_view rest = name;
    bool is_base = false;
    if (rest.starts_with("vm-")) {
        rest.remove_prefix(3);
    } else if (rest.starts_with("base-")) {
        rest.remove_prefix(5);
        is_base = true;
    } else if (rest.starts_with("subvol-")) {
        rest.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    size_t digits = 0;
    while (digits < rest.size() && is_digit(rest[digits])) ++digits;
    if (digits == 0 || digits >= rest.size() || rest[digits] != '-') return std::nullopt;
    rest.remove_prefix(digits + 1);

    static constexpr std::array<std::pair<std::string_view, ImageFormat>, 4> formats = {{
        {".raw", ImageFormat::raw},
        {".qcow2", ImageFormat::qcow2},
        {".vmdk", ImageFormat::vmdk},
        {".subvol", ImageFormat::subvol},
    }};
    for (const auto& [suffix, format] : formats) {
        if (rest.size() > suffix.size() && rest.ends_with(suffix)) return std::pair{format, is_base};
    }
    return std::nullopt;
}

std::vector<std::string_view> split_path(std::string_view text) {
    std::vector<std::string_view> parts;
    size_t begin = 0;
    while (true) {
        const size_t slash = text.find('/', begin);
        parts.push_back(text.substr(begin, slash == std::string_view::npos ? slash : slash - begin));
        if (slash == std::string_view::npos) return parts;
        begin = slash + 1;
    }
}

std::optional<DirVolname> try_parse_dir_volname(std::string_view volname) {
    const std::vector<std::string_view> parts = split_path(volname);

    // Content directories: "<dir>/<file>" with the file free of '/'.
    if (parts.size() == 2 && !parts[1].empty()) {
        const std::string_view dir = parts[0];
        const std::string_view file = parts[1];
        DirVolname result;
        result.file_name = std::string(file);
        if (dir == "vztmpl") {
            if (!has_suffix_after_name(file, {".tar", ".tar.gz", ".tar.xz", ".tar.zst", ".tar.bz2"}, true))
                return std::nullopt;
            result.kind = VolumeKind::vztmpl;
            return result;
        }
        if (dir == "backup") {
            if (!has_suffix_after_name(file,
                                       {".tgz", ".tar", ".vma", ".tar.gz", ".tar.lzo", ".tar.zst", ".tar.bz2",
                                        ".vma.gz", ".vma.lzo", ".vma.zst", ".vma.bz2"},
                                       false))
                return std::nullopt;
            result.kind = VolumeKind::backup;
            for (std::string_view type : {"vzdump-lxc-", "vzdump-qemu-", "vzdump-openvz-"}) {
                if (!file.starts_with(type)) continue;
                const std::string_view rest = file.substr(type.size());
                const size_t dash = rest.find('-');
                // `vzdump-<type>-(\d+)-.+`
                if (dash != std::string_view::npos && dash + 1 < rest.size() && all_digits(rest.substr(0, dash)))
                    result.owner_vmid = parse_int(rest.substr(0, dash));
            }
            return result;
        }
        if (dir == "iso" || dir == "snippets" || dir == "import") {
            result.kind = dir == "iso" ? VolumeKind::iso : dir == "snippets" ? VolumeKind::snippets : VolumeKind::import;
            return result;
        }
    }

    // Images: "<vmid>/<name>" or "<basevmid>/<basename>/<vmid>/<name>".
    if (parts.size() != 2 && parts.size() != 4) return std::nullopt;
    const std::string_view vmid = parts[parts.size() - 2];
    const std::string_view name = parts.back();
    if (!all_digits(vmid)) return std::nullopt;
    auto image = parse_image_file_name(name);
    if (!image) return std::nullopt;

    DirVolname result;
    result.kind = VolumeKind::image;
    result.file_name = std::string(name);
    result.owner_vmid = parse_int(vmid);
    result.format = image->first;
    result.is_base = image->second;
    if (!result.owner_vmid) return std::nullopt;
    if (parts.size() == 4) {
        if (!all_digits(parts[0]) || !parse_image_file_name(parts[1])) return std::nullopt;
        result.base_vmid = parse_int(parts[0]);
        result.base_name = std::string(parts[1]);
        if (!result.base_vmid) return std::nullopt;
    }
    return result;
}

// The disk index in the first `(vm|base|subvol|basevol)-<vmid>-disk-<N>`
// found anywhere in `name` (the reference uses an unanchored regex).
std::optional<uint64_t> disk_index_in(std::string_view name, std::string_view needle) {
    for (size_t at = name.find(needle); at != std::string_view::npos; at = name.find(needle, at + 1)) {
        const std::string_view before = name.substr(0, at);
        const bool prefixed = before.ends_with("vm") || before.ends_with("base") || before.ends_with("subvol") ||
                              before.ends_with("basevol");
        size_t end = at + needle.size();
        while (end < name.size() && is_digit(name[end])) ++end;
        if (!prefixed || end == at + needle.size()) continue;
        // Indexes past the limit cannot block a free one; clamp instead of overflowing.
        const std::string_view digits = name.substr(at + needle.size(), end - at - needle.size());
        return parse_u64(digits).value_or(kMax);
    }
    return std::nullopt;
}

}  // namespace

bool is_valid_storage_id(std::string_view id) {
    if (id.size() < 2 || !is_lower_alpha(to_lower(id.front()))) return false;
    const char last = to_lower(id.back());
    if (!is_lower_alpha(last) && !is_digit(last)) return false;
    for (char c : id) {
        c = to_lower(c);
        if (!is_lower_alpha(c) && !is_digit(c) && c != '-' && c != '_' && c != '.') return false;
    }
    return true;
}

std::string VolumeId::to_string() const { return storage + ":" + volname; }

VolumeId parse_volume_id(std::string_view volume_id) {
    const size_t colon = volume_id.find(':');
    if (colon == std::string_view::npos) throw UserError("unable to parse volume ID '" + std::string(volume_id) + "'");
    const std::string_view storage = volume_id.substr(0, colon);
    const std::string_view volname = volume_id.substr(colon + 1);
    // Perl's `.` stops at a newline, so the reference rejects one in the name.
    if (!is_valid_storage_id(storage) || volname.empty() || volname.find('\n') != std::string_view::npos)
        throw UserError("unable to parse volume ID '" + std::string(volume_id) + "'");
    return {std::string(storage), std::string(volname)};
}

std::string_view content_type_of(VolumeKind kind) {
    switch (kind) {
        case VolumeKind::image: return "images";
        case VolumeKind::vztmpl: return "vztmpl";
        case VolumeKind::backup: return "backup";
        case VolumeKind::iso: return "iso";
        case VolumeKind::snippets: return "snippets";
        case VolumeKind::import: return "import";
    }
    return "";
}

std::string_view to_string(ImageFormat format) {
    switch (format) {
        case ImageFormat::raw: return "raw";
        case ImageFormat::qcow2: return "qcow2";
        case ImageFormat::vmdk: return "vmdk";
        case ImageFormat::subvol: return "subvol";
    }
    return "";
}

DirVolname parse_dir_volname(std::string_view volname) {
    auto result = try_parse_dir_volname(volname);
    if (!result) throw UserError("unable to parse directory volume name '" + std::string(volname) + "'");
    return *result;
}

std::string image_volname(int vmid, int n, bool subvol) {
    const std::string id = std::to_string(vmid);
    if (subvol) return id + "/subvol-" + id + "-disk-" + std::to_string(n) + ".subvol";
    return id + "/vm-" + id + "-disk-" + std::to_string(n) + ".raw";
}

int lowest_free_disk_index(const std::vector<std::string>& existing_names, int vmid, std::string_view storage) {
    const std::string needle = "-" + std::to_string(vmid) + "-disk-";
    std::set<uint64_t> used;
    for (const std::string& name : existing_names) {
        if (auto index = disk_index_in(name, needle)) used.insert(*index);
    }
    for (int i = 0; i < kMaxDisksPerGuest; ++i) {
        if (!used.contains(static_cast<uint64_t>(i))) return i;
    }
    throw UserError("unable to allocate an image name for VM " + std::to_string(vmid) + " in storage '" +
                    std::string(storage) + "'");
}

std::optional<NewDiskRequest> parse_new_disk_request(std::string_view volume) {
    const size_t colon = volume.find(':');
    if (colon == 0 || colon == std::string_view::npos) return std::nullopt;
    const std::string_view storage = volume.substr(0, colon);
    if (has_space(storage)) return std::nullopt;
    auto size = split_decimal(volume.substr(colon + 1));
    if (!size) return std::nullopt;

    auto mib = scale_decimal(size->first, size->second, 1024);  // int(GiB * 1024)
    if (!mib || *mib > kMax / 1024) throw UserError("disk size '" + std::string(volume.substr(colon + 1)) + "' is too large");
    return NewDiskRequest{std::string(storage), *mib * 1024};
}

MountPointType classify_mount_point(std::string_view volume) {
    if (volume.starts_with("/dev/")) return MountPointType::device;
    if (volume.starts_with("/")) return MountPointType::bind;
    return MountPointType::volume;
}

std::string_view to_string(MountPointType type) {
    switch (type) {
        case MountPointType::volume: return "volume";
        case MountPointType::bind: return "bind";
        case MountPointType::device: return "device";
    }
    return "";
}

bool has_illegal_path_sequences(std::string_view path) {
    return path.find("/./") != std::string_view::npos || path.find("/../") != std::string_view::npos ||
           path.ends_with("/.") || path.ends_with("/..") || path.starts_with("../");
}

void check_mount_path_sequences(std::string_view path) {
    if (has_illegal_path_sequences(path))
        throw UserError(std::string(path) + " contains illegal character sequences");
}

uint64_t parse_disk_size(std::string_view text) {
    auto invalid = [&] { return UserError("value does not look like a valid disk size: " + std::string(text)); };

    std::string_view number = text;
    uint64_t multiplier = 1;
    if (number.ends_with("iB")) number.remove_suffix(2);  // "iB" is only valid after a unit letter
    const bool had_ib = number.size() != text.size();
    static constexpr std::string_view units = "KMGT";
    const size_t unit = number.empty() ? std::string_view::npos : units.find(number.back());
    if (unit != std::string_view::npos) {
        number.remove_suffix(1);
        multiplier = uint64_t{1} << (10 * (unit + 1));
    } else if (had_ib) {
        throw invalid();
    }

    auto parts = split_decimal(number);
    if (!parts) throw invalid();
    auto bytes = scale_decimal(parts->first, parts->second, multiplier);
    if (!bytes) throw UserError("disk size '" + std::string(text) + "' is too large");
    return *bytes;
}

std::string format_disk_size(uint64_t bytes) {
    // Same walk as Proxmox's format_size: 0 divides by everything, so it ends as "0T".
    if (bytes % 1024 != 0) return std::to_string(bytes);
    const uint64_t kib = bytes / 1024;
    if (kib % 1024 != 0) return std::to_string(kib) + "K";
    const uint64_t mib = kib / 1024;
    if (mib % 1024 != 0) return std::to_string(mib) + "M";
    const uint64_t gib = mib / 1024;
    if (gib % 1024 != 0) return std::to_string(gib) + "G";
    return std::to_string(gib / 1024) + "T";
}

}  // namespace pct
