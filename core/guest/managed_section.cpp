#include "core/guest/managed_section.h"

#include <cctype>
#include <vector>

#include "core/guest/text_lines.h"

namespace pct::guest {

namespace {

// Matches /^#\s*---\s*WORD\s*PVE\s*/ (case-insensitive when asked).
bool is_marker_line(std::string_view line, std::string_view word, bool ignore_case) {
    auto eat = [&](std::string_view expected) {
        if (line.size() < expected.size()) return false;
        for (size_t i = 0; i < expected.size(); ++i) {
            char actual = line[i];
            if (ignore_case) actual = static_cast<char>(std::toupper(static_cast<unsigned char>(actual)));
            if (actual != expected[i]) return false;
        }
        line.remove_prefix(expected.size());
        line = skip_spaces(line);
        return true;
    };
    return eat("#") && eat("---") && eat(word) && eat("PVE");
}

std::string section_block(const std::string& data) {
    return std::string(kSectionBegin) + "\n" + data + std::string(kSectionEnd) + "\n";
}

}  // namespace

SectionEdit edit_managed_section(const std::optional<std::string>& old_content, std::string data,
                                 SectionPlacement placement, bool delete_when_empty) {
    if (!data.empty() && data.back() != '\n') data += '\n';
    if (!old_content) {
        if (data.empty()) return {};
        return {SectionEdit::Action::Write, section_block(data), true};
    }

    auto lines = split_lines(*old_content);
    std::optional<size_t> begin, end;
    for (size_t i = 0; i < lines.size() && !end; ++i) {
        if (!begin) {
            if (is_marker_line(lines[i], "BEGIN", false)) begin = i;
        } else if (is_marker_line(lines[i], "END", true)) {
            end = i;
        }
    }

    if (begin && end) {
        if (data.empty() && *begin == 0 && *end + 1 == lines.size()) {
            if (delete_when_empty) return {SectionEdit::Action::Remove, "", false};
            return {};
        }
        // An empty section keeps its END line's newline, leaving a blank line.
        std::string block = section_block(data);
        if (!data.empty()) block.pop_back();
        std::vector<std::string> updated(lines.begin(), lines.begin() + static_cast<long>(*begin));
        updated.push_back(block);
        updated.insert(updated.end(), lines.begin() + static_cast<long>(*end) + 1, lines.end());
        return {SectionEdit::Action::Write, join_lines(updated), false};
    }
    if (data.empty()) return {};

    std::string content = join_lines(lines);
    switch (placement) {
        case SectionPlacement::Replace:
            return {SectionEdit::Action::Write, section_block(data), true};
        case SectionPlacement::Prepend:
            return {SectionEdit::Action::Write, section_block(data) + content, true};
        case SectionPlacement::Append:
            break;
    }
    return {SectionEdit::Action::Write, content + section_block(data), true};
}

std::string remove_managed_sections(std::string_view text) {
    auto line_starts_with = [&](size_t line_start, std::string_view marker) {
        size_t i = line_start;
        while (i < text.size() && is_blank(text[i])) ++i;
        return text.substr(i).starts_with(marker);
    };
    std::optional<size_t> cut_begin;
    std::optional<size_t> cut_end;
    for (size_t line_start = 0; line_start < text.size();) {
        size_t newline = text.find('\n', line_start);
        size_t line_end = newline == std::string_view::npos ? text.size() : newline;
        if (!cut_begin) {
            if (line_starts_with(line_start, kSectionBegin)) cut_begin = line_start;
        } else if (line_starts_with(line_start, kSectionEnd)) {
            cut_end = line_end;
        }
        if (newline == std::string_view::npos) break;
        line_start = newline + 1;
    }
    if (!cut_begin || !cut_end) return std::string(text);
    return std::string(text.substr(0, *cut_begin)) + std::string(text.substr(*cut_end));
}

}  // namespace pct::guest
