#pragma once
// SHA-1 (FIPS 180-4) of a byte string, as 40 lowercase hex digits: the
// config digest Proxmox shows and compares (config.md §1), and cache keys.
// Here rather than from libcrypto: OpenSSL's first use loads its config and
// providers, which cost more than the rest of a `pct start` before the fork.
#include <string>
#include <string_view>

namespace pct {

std::string sha1_hex(std::string_view data);

}  // namespace pct
