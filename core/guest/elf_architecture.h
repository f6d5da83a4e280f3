#pragma once
// Container architecture from the ELF header of a guest binary
// (guest-setup.md §4.11).
#include <string>
#include <string_view>

namespace pct::guest {

inline constexpr size_t kElfHeaderBytes = 20;

// `header` holds the first bytes of `file`. Throws UserError naming the file
// when it is no ELF or has an unknown machine.
std::string elf_architecture(std::string_view header, const std::string& file);

}  // namespace pct::guest
