#include "core/guest/dns_settings.h"

#include "core/guest/text_lines.h"
#include "core/value_formats.h"

namespace pct::guest {

namespace {

constexpr size_t kMaxHostNameservers = 3;

std::string first_token(std::string_view text) {
    text = skip_spaces(text);
    size_t end = 0;
    while (end < text.size() && !is_space(text[end])) ++end;
    return std::string(text.substr(0, end));
}

}  // namespace

DnsSettings lookup_dns_settings(const ConfigSection& config, std::string_view host_resolv_conf) {
    std::string host_search;
    std::vector<std::string> host_nameservers;
    for (const auto& line : split_lines(host_resolv_conf)) {
        std::string_view text = line;
        if (starts_with_word(text, "search") || starts_with_word(text, "domain")) {
            std::string domain = first_token(text.substr(6));
            if (!domain.empty()) host_search = domain;
        } else if (starts_with_word(skip_spaces(text), "nameserver")) {
            std::string server = first_token(skip_spaces(text).substr(10));
            if ((is_ipv4(server) || is_ipv6(server)) && host_nameservers.size() < kMaxHostNameservers)
                host_nameservers.push_back(server);
        }
    }

    DnsSettings settings;
    const std::string* nameserver = config.get("nameserver");
    settings.nameservers = nameserver ? split_list(*nameserver) : host_nameservers;
    const std::string* searchdomain = config.get("searchdomain");
    settings.search_domains = split_list(searchdomain ? *searchdomain : host_search);
    return settings;
}

}  // namespace pct::guest
