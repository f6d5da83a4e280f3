#pragma once
// The "# --- BEGIN PVE ---" ... "# --- END PVE ---" section that guest setup
// owns inside files it shares with the user (guest-setup.md §2.3).
#include <optional>
#include <string>
#include <string_view>

namespace pct::guest {

inline constexpr std::string_view kSectionBegin = "# --- BEGIN PVE ---";
inline constexpr std::string_view kSectionEnd = "# --- END PVE ---";

// Where a new section goes in a file that has none.
enum class SectionPlacement { Append, Prepend, Replace };

struct SectionEdit {
    enum class Action { Keep, Write, Remove };
    Action action = Action::Keep;
    std::string content;          // for Write
    bool use_given_mode = false;  // new file or file without section; else 0644
};

// What modify(path, data, placement, delete_when_empty) does to a file with
// the given content (nullopt: the file does not exist).
SectionEdit edit_managed_section(const std::optional<std::string>& old_content, std::string data,
                                 SectionPlacement placement, bool delete_when_empty);

// The text with everything from the first BEGIN marker line to the end of the
// last END marker line cut out (markers may be indented), as used to look for
// user entries outside the section.
std::string remove_managed_sections(std::string_view text);

}  // namespace pct::guest
