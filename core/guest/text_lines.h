#pragma once
// Line handling with the exact semantics the guest setup relies on
// (guest-setup.md §2.3: "trailing empty lines are dropped by the split").
#include <string>
#include <string_view>
#include <vector>

namespace pct::guest {

// Splits on '\n'; trailing empty lines vanish, leading and inner ones stay.
std::vector<std::string> split_lines(std::string_view text);

// Lines joined by '\n' plus one final '\n' (no lines: "\n").
std::string join_lines(const std::vector<std::string>& lines);

// Whitespace as in a regex "\s": space, \t, \n, \v, \f, \r.
bool is_space(char c);
// Horizontal whitespace as in "\h": space and tab.
bool is_blank(char c);

std::string_view skip_spaces(std::string_view text);
bool starts_with_word(std::string_view text, std::string_view word);  // word then \s or end

}  // namespace pct::guest
