#include "core/guest/os_release.h"

#include <cctype>
#include <regex>

#include "core/guest/text_lines.h"

namespace pct::guest {

namespace {

bool is_key_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string unescape_double_quoted(std::string_view value) {
    std::string result;
    for (size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (c == '\\' && i + 1 < value.size()) {
            char next = value[i + 1];
            switch (next) {
                case 'n': result += '\n'; ++i; continue;
                case 't': result += '\t'; ++i; continue;
                case '"': case '\'': case '`': case '$': case '\\': result += next; ++i; continue;
                default: break;
            }
        }
        result += c;
    }
    return result;
}

// An unterminated quote yields "", as upstream's regex fallback does.
std::string parse_value(std::string_view content) {
    if (content.starts_with('\'')) {
        size_t close = content.find('\'', 1);
        if (close != std::string_view::npos) return std::string(content.substr(1, close - 1));
        return "";
    }
    if (content.starts_with('"')) {
        for (size_t i = 1; i < content.size(); ++i) {
            if (content[i] == '\\') {
                ++i;  // an escaped character never closes the value
            } else if (content[i] == '"') {
                return unescape_double_quoted(content.substr(1, i - 1));
            }
        }
        return "";
    }
    size_t end = 0;
    while (end < content.size() && std::isalnum(static_cast<unsigned char>(content[end]))) ++end;
    return std::string(content.substr(0, end));
}

}  // namespace

OsRelease parse_os_release(std::string_view text) {
    OsRelease variables;
    for (const auto& line : split_lines(text)) {
        std::string_view rest = skip_spaces(line);
        if (rest.empty() || !is_key_start(rest.front())) continue;
        size_t key_end = 1;
        while (key_end < rest.size() && is_key_char(rest[key_end])) ++key_end;
        if (key_end >= rest.size() || rest[key_end] != '=') continue;
        variables[std::string(rest.substr(0, key_end))] = parse_value(rest.substr(key_end + 1));
    }
    return variables;
}

std::optional<double> version_id_number(const OsRelease& os_release) {
    auto it = os_release.find("VERSION_ID");
    static const std::regex number(R"(^\d+(\.\d+)?)");
    std::smatch match;
    if (it == os_release.end() || !std::regex_search(it->second, match, number)) return std::nullopt;
    return std::stod(match[0]);
}

}  // namespace pct::guest
