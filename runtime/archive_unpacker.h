#pragma once
// Template extraction with libarchive (cli.md §3.1 step 6.4): one pass over
// the (untrusted) archive straight into the mounted rootfs, shifting owners
// to host ids on the way for unprivileged containers.
#include <optional>
#include <string>
#include <string_view>

#include "core/template_unpacker.h"

namespace pct {

enum class ArchiveCompression { none, gzip, bzip2, xz, lzop, zstd };

// By file suffix, as Proxmox does: `.tar` followed by nothing, `.gz`, `.bz2`,
// `.xz`, `.lzo` or `.zst`. Throws UserError
// `unrecognized compression format: .<ext>` for another suffix after `.tar`
// and `file does not look like a template archive: <path>` without `.tar`.
ArchiveCompression archive_compression_of(std::string_view path);

// The content of the first regular member named `member` (with or without a
// leading "./"), or nullopt when the archive has none; how `pct restore`
// finds ./etc/vzdump/pct.conf. Throws UserError when unreadable.
std::optional<std::string> read_archive_member(const std::string& archive, std::string_view member);

class ArchiveUnpacker : public TemplateUnpacker {
public:
    // Keeps modes, numeric owners, times, POSIX ACLs, `user.*` and
    // `security.capability` xattrs and sparse files; skips `./dev/*` and
    // files that already exist. Nothing is ever written outside
    // `request.target`: `..` components, absolute names and extraction
    // through symlinks are refused (for hard link targets too).
    UnpackResult unpack(const UnpackRequest& request) override;
};

}  // namespace pct
