#include "core/appliance_index.h"

#include <algorithm>
#include <map>
#include <utility>

namespace pct {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && (is_blank(text.front()) || text.front() == '\n')) text.remove_prefix(1);
    while (!text.empty() && (is_blank(text.back()) || text.back() == '\n')) text.remove_suffix(1);
    return text;
}

std::string to_lower(std::string_view text) {
    std::string lower(text);
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return lower;
}

bool is_hex(std::string_view text, size_t length) {
    if (text.size() != length) return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

// Proxmox's version rule: `^\d[a-zA-Z0-9.+\-:~]*$`.
bool is_valid_version(std::string_view version) {
    if (version.empty() || version[0] < '0' || version[0] > '9') return false;
    return std::all_of(version.begin(), version.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '+' ||
               c == '-' || c == ':' || c == '~';
    });
}

bool has_scheme(std::string_view url) {
    size_t colon = url.find("://");
    if (colon == std::string_view::npos || colon == 0) return false;
    return std::all_of(url.begin(), url.begin() + static_cast<long>(colon), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
               c == '.';
    });
}

std::string_view basename_of(std::string_view path) {
    size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// One paragraph as (lower-case key, value) pairs; continuation lines belong
// to the field above them. Returns a problem text instead when a line is
// neither.
struct Fields {
    std::vector<std::pair<std::string, std::string>> entries;
    std::string problem;
};

Fields split_fields(const std::vector<std::string_view>& lines) {
    Fields fields;
    for (std::string_view line : lines) {
        if (is_blank(line.front())) {
            if (fields.entries.empty()) {
                fields.problem = "unable to parse appliance record: " + std::string(trim(line));
                return fields;
            }
            std::string& value = fields.entries.back().second;
            // Description keeps its lines apart until the record is built.
            value += fields.entries.back().first == "description" ? "\n" : " ";
            value += trim(line);
            continue;
        }
        size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            fields.problem = "unable to parse appliance record: " + std::string(trim(line));
            return fields;
        }
        fields.entries.emplace_back(to_lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    }
    return fields;
}

void set_description(ApplianceRecord& record, std::string_view value) {
    size_t newline = value.find('\n');
    record.headline = std::string(trim(value.substr(0, newline)));
    if (newline == std::string_view::npos) return;
    std::string rest;
    std::string_view remaining = value.substr(newline + 1);
    while (!remaining.empty()) {
        size_t end = remaining.find('\n');
        std::string_view part = trim(remaining.substr(0, end));
        if (!part.empty()) {
            if (!rest.empty()) rest += ' ';
            rest += part;
        }
        if (end == std::string_view::npos) break;
        remaining.remove_prefix(end + 1);
    }
    record.description = rest;
}

std::string directory_of(std::string_view url) {
    std::string resolved = resolve_url(url, "x");
    resolved.pop_back();
    return resolved;
}

// Builds a record from its fields, or returns why it cannot be used.
std::string build_record(const Fields& fields, std::string_view source_url, ApplianceRecord& record,
                         bool& web_news) {
    std::string location;
    for (const auto& [key, value] : fields.entries) {
        if (key == "package") record.package = value;
        else if (key == "version") record.version = value;
        else if (key == "type") record.type = value;
        else if (key == "os") record.os = value;
        else if (key == "section") record.section = value;
        else if (key == "architecture") record.architecture = value;
        else if (key == "maintainer") record.maintainer = value;
        else if (key == "infopage") record.infopage = value;
        else if (key == "location") location = value;
        else if (key == "md5sum") record.md5sum = to_lower(value);
        else if (key == "sha512sum") record.sha512sum = to_lower(value);
        else if (key == "description") set_description(record, value);
    }
    // Proxmox's news feed shares the index but is no template.
    web_news = record.package == "pve-web-news";
    if (web_news) return {};

    if (!record.version.empty() && !is_valid_version(record.version))
        return "unable to parse appliance record: version = '" + record.version + "'";
    if (!record.type.empty() && record.type != "lxc" && record.type != "openvz")
        return "unable to parse appliance record: unknown type '" + record.type + "'";
    for (const auto& [name, value] : {std::pair<const char*, const std::string&>{"Package", record.package},
                                      {"Version", record.version},
                                      {"Type", record.type},
                                      {"OS", record.os}}) {
        if (value.empty())
            return "found incomplete appliance record '" + record.package + "' - missing " + name;
    }
    if (!record.sha512sum.empty() && !is_hex(record.sha512sum, 128))
        return "appliance record '" + record.package + "' has a malformed sha512sum";
    if (!record.md5sum.empty() && !is_hex(record.md5sum, 32))
        return "appliance record '" + record.package + "' has a malformed md5sum";
    if (record.section.empty()) record.section = "unknown";

    std::string built = record.os + "-" + record.package + "_" + record.version + "_" +
                        (record.architecture.empty() ? "i386" : record.architecture) + ".tar.gz";
    // A package named after its OS ("debian-debian-...") is written once.
    std::string doubled = record.os + "-" + record.os + "-";
    if (built.starts_with(doubled)) built.erase(0, record.os.size() + 1);

    if (!location.empty()) {
        std::string_view base = basename_of(location);
        record.template_name = has_template_extension(base) ? std::string(base) : built;
        record.url = resolve_url(source_url, location);
    } else {
        record.template_name = built;
        record.url = directory_of(source_url) + record.section + "/" + built;
    }
    if (record.template_name.empty() || record.template_name.front() == '.' ||
        record.template_name.find('/') != std::string::npos)
        return "appliance record '" + record.package + "' has an unusable template name";
    return {};
}

}  // namespace

bool has_template_extension(std::string_view file_name) {
    for (std::string_view suffix : {".tar", ".tar.gz", ".tar.xz", ".tar.zst", ".tar.bz2"})
        if (file_name.size() > suffix.size() && file_name.ends_with(suffix)) return true;
    return false;
}

std::string resolve_url(std::string_view base_url, std::string_view location) {
    if (has_scheme(location)) return std::string(location);
    size_t scheme_end = base_url.find("://");
    std::string_view scheme = scheme_end == std::string_view::npos ? "" : base_url.substr(0, scheme_end);
    size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    size_t path_start = base_url.find('/', authority_start);
    std::string_view origin = base_url.substr(0, path_start);
    if (location.starts_with("//")) return std::string(scheme) + ":" + std::string(location);
    if (location.starts_with("/")) return std::string(origin) + std::string(location);
    if (path_start == std::string_view::npos) return std::string(origin) + "/" + std::string(location);
    std::string_view path = base_url.substr(path_start);
    path = path.substr(0, path.find_first_of("?#"));
    return std::string(origin) + std::string(path.substr(0, path.rfind('/') + 1)) + std::string(location);
}

ApplianceIndex parse_appliance_index(std::string_view text, std::string_view source_url) {
    ApplianceIndex index;
    std::vector<std::string_view> paragraph;
    auto finish_paragraph = [&] {
        if (paragraph.empty()) return;
        Fields fields = split_fields(paragraph);
        paragraph.clear();
        if (!fields.problem.empty()) {
            index.problems.push_back(fields.problem);
            return;
        }
        ApplianceRecord record;
        bool web_news = false;
        std::string problem = build_record(fields, source_url, record, web_news);
        if (web_news) return;
        if (!problem.empty()) {
            index.problems.push_back(problem);
            return;
        }
        index.records.push_back(std::move(record));
    };
    while (!text.empty()) {
        size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        // Blank lines (also whitespace-only ones) end a paragraph.
        if (trim(line).empty()) {
            finish_paragraph();
            continue;
        }
        paragraph.push_back(line);
    }
    finish_paragraph();
    return index;
}

std::vector<ApplianceRecord> available_templates(const std::vector<ApplianceRecord>& records,
                                                 std::optional<std::string_view> section) {
    std::map<std::pair<std::string, std::string>, const ApplianceRecord*> by_name;
    for (const auto& record : records) {
        if (section && record.section != *section) continue;
        by_name[{record.section, record.template_name}] = &record;
    }
    std::vector<ApplianceRecord> listed;
    listed.reserve(by_name.size());
    for (const auto& [key, record] : by_name) listed.push_back(*record);
    return listed;
}

std::string format_available_line(const ApplianceRecord& record) {
    auto padded = [](std::string text, size_t width) {
        if (text.size() < width) text.append(width - text.size(), ' ');
        return text;
    };
    return padded(record.section, 15) + " " + padded(record.template_name, 60) + " " +
           (record.architecture.empty() ? std::string("unknown") : record.architecture);
}

}  // namespace pct
