#pragma once
// Name servers and search domains for the guest (guest-setup.md §4.1).
#include <string>
#include <string_view>
#include <vector>

#include "core/config_file.h"

namespace pct::guest {

struct DnsSettings {
    std::vector<std::string> nameservers;
    std::vector<std::string> search_domains;
};

// conf.nameserver / conf.searchdomain when set; otherwise the first three
// `nameserver` entries and the last `search`/`domain` line of the host's
// resolv.conf (its text is passed in).
DnsSettings lookup_dns_settings(const ConfigSection& config, std::string_view host_resolv_conf);

}  // namespace pct::guest
