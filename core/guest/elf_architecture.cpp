#include "core/guest/elf_architecture.h"

#include "core/error.h"

namespace pct::guest {

namespace {
constexpr size_t kClassOffset = 4;
constexpr unsigned kElfClass32 = 1;
constexpr unsigned kElfClass64 = 2;
}  // namespace

std::string elf_architecture(std::string_view header, const std::string& file) {
    if (header.size() < kElfHeaderBytes || !header.starts_with("\x7f" "ELF"))
        throw UserError("'" + file + "' does not resolve to an ELF!");
    auto byte = [&](size_t index) { return static_cast<unsigned>(static_cast<unsigned char>(header[index])); };
    unsigned machine = (byte(17) << 8) | byte(18);
    switch (machine) {
        case 0x03: return "i386";
        case 0x3e: return "amd64";
        case 0x28: return "armhf";
        case 0xb7: return "arm64";
        case 0xf3:
            if (byte(kClassOffset) == kElfClass32) return "riscv32";
            if (byte(kClassOffset) == kElfClass64) return "riscv64";
            break;
        default: break;
    }
    throw UserError("'" + file + "' has unknown ELF machine '" + std::to_string(machine) + "'!");
}

}  // namespace pct::guest
