#pragma once
// SHA-512 crypt ("$6$salt$hash", default 5000 rounds) for root passwords
// given in plain text (guest-setup.md §4.6). core has no crypto library.
#include <string>
#include <string_view>

namespace pct::guest {

// `salt` is cut to 16 characters, as crypt(3) does.
std::string sha512_crypt(std::string_view password, std::string_view salt);

}  // namespace pct::guest
