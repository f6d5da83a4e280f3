#include "core/guest/debian_interfaces.h"

#include <map>
#include <regex>
#include <set>

#include "core/error.h"
#include "core/guest/ip_address.h"
#include "core/guest/managed_section.h"
#include "core/guest/text_lines.h"

namespace pct::guest {

namespace {

// One address family of one interface.
struct FamilyConfig {
    std::optional<std::string> method;  // "dhcp", "manual", "auto" or "static"
    std::string address;                // static only
    std::string netmask;                // static: dotted (v4) or prefix length (v6)
    std::string cidr;                   // static: as configured
    std::optional<std::string> gateway;
    bool gateway_needs_route = false;   // off-link gateway
};

struct ManagedInterface {
    FamilyConfig v4;
    FamilyConfig v6;
};

enum class Family { V4, V6 };

struct Stanza {
    Family family;
    std::string name;
    std::vector<std::string> attributes;  // kept lines, without leading blanks
};

std::map<std::string, ManagedInterface> managed_interfaces(const std::vector<GuestInterface>& interfaces) {
    std::map<std::string, ManagedInterface> managed;
    for (const auto& interface : interfaces) {
        if (!interface.ip && !interface.gw && !interface.ip6 && !interface.gw6) continue;
        ManagedInterface config;
        if (interface.ip) {
            if (*interface.ip == "dhcp" || *interface.ip == "manual") {
                config.v4.method = *interface.ip;
            } else {
                auto cidr = parse_ipv4_cidr(*interface.ip);
                if (!cidr) throw UserError("unable to parse ipv4 address/mask");
                config.v4 = {"static", cidr->address, cidr->netmask, *interface.ip, std::nullopt, false};
            }
        }
        if (interface.gw) {
            config.v4.gateway = interface.gw;
            config.v4.gateway_needs_route = config.v4.method == "static" &&
                                            !is_ip_in_cidr(*interface.gw, config.v4.cidr, IpFamily::V4);
        }
        if (interface.ip6) {
            if (*interface.ip6 == "auto" || *interface.ip6 == "dhcp" || *interface.ip6 == "manual") {
                config.v6.method = *interface.ip6;
            } else {
                auto cidr = parse_ipv6_cidr(*interface.ip6);
                if (!cidr) throw UserError("unable to parse ipv6 address/prefix");
                config.v6 = {"static", cidr->address, cidr->prefix_length, *interface.ip6, std::nullopt, false};
            }
        }
        if (interface.gw6) {
            config.v6.gateway = interface.gw6;
            config.v6.gateway_needs_route = config.v6.method == "static" &&
                                            !is_ip_in_cidr(*interface.gw6, config.v6.cidr, IpFamily::V6) &&
                                            !is_ip_in_cidr(*interface.gw6, "fe80::/10", IpFamily::V6);
        }
        managed[interface.name] = config;
    }
    return managed;
}

std::string gateway_scripts(const std::string& name, const std::string& gateway) {
    return std::string(kSectionBegin) + "\n" +
           "\tpost-up ip route add " + gateway + " dev " + name + "\n" +
           "\tpost-up ip route add default via " + gateway + " dev " + name + "\n" +
           "\tpre-down ip route del default via " + gateway + " dev " + name + "\n" +
           "\tpre-down ip route del " + gateway + " dev " + name + "\n" +
           std::string(kSectionEnd) + "\n";
}

// Drops the routes a previous run added: the marked section, or, in files
// from before the markers existed, the exact four-line legacy blocks.
void remove_gateway_scripts(std::vector<std::string>& attributes) {
    bool found_section = false;
    bool keep = true;
    std::vector<std::string> kept;
    for (auto& attribute : attributes) {
        if (attribute == kSectionBegin) {
            found_section = true;
            keep = false;
        } else if (attribute == kSectionEnd) {
            found_section = true;
            keep = true;
        } else if (keep) {
            kept.push_back(std::move(attribute));
        }
    }
    attributes = std::move(kept);
    if (found_section) return;

    static const std::regex add_host(R"(^\s*post-up\s+ip\s+route\s+add\s+(\S+)\s+dev\s+(\S+)$)");
    static const std::regex add_default(R"(^\s*post-up\s+ip\s+route\s+add\s+default\s+via\s+(\S+)\s+dev\s+(\S+)$)");
    static const std::regex del_default(R"(^\s*pre-down\s+ip\s+route\s+del\s+default\s+via\s+(\S+)\s+dev\s+(\S+)$)");
    static const std::regex del_host(R"(^\s*pre-down\s+ip\s+route\s+del\s+(\S+)\s+dev\s+(\S+)$)");
    auto matches = [](const std::string& line, const std::regex& pattern, const std::string& ip,
                      const std::string& device) {
        std::smatch match;
        return std::regex_match(line, match, pattern) && match[1] == ip && match[2] == device;
    };
    for (size_t i = 0; i + 3 < attributes.size();) {
        std::smatch first;
        if (std::regex_match(attributes[i], first, add_host)) {
            std::string ip = first[1], device = first[2];
            if (matches(attributes[i + 1], add_default, ip, device) &&
                matches(attributes[i + 2], del_default, ip, device) &&
                matches(attributes[i + 3], del_host, ip, device)) {
                attributes.erase(attributes.begin() + static_cast<long>(i),
                                 attributes.begin() + static_cast<long>(i) + 4);
                continue;
            }
        }
        ++i;
    }
}

class InterfacesWriter {
public:
    InterfacesWriter(const std::map<std::string, ManagedInterface>& managed, AddressStyle style)
        : managed_(managed), style_(style) {}

    void rewrite(const std::string& existing) {
        static const std::regex iface_v4(R"(^\s*iface\s+(\S+)\s+inet\s+(\S+)\s*$)");
        static const std::regex iface_v6(R"(^\s*iface\s+(\S+)\s+inet6\s+(\S+)\s*$)");
        static const std::regex auto_line(R"(^\s*auto\s*([^\n]*)$)");
        static const std::regex other_section(R"(^\s*(?:mapping\s|allow-|source\s|source-directory\s))");
        static const std::regex attribute_line(R"(^\s*((\S+)\s([^\n]*))$)");

        for (const auto& line : lines_of(existing)) {
            std::smatch match;
            if (line.starts_with("# --- BEGIN PVE ---") || line.starts_with("# --- END PVE ---")) {
                // Kept with the stanza so remove_gateway_scripts can find them.
                if (stanza_) stanza_->attributes.push_back(line);
            } else if (line.starts_with('#')) {
                output_ += line + "\n";
            } else if (skip_spaces(line).empty()) {
                if (stanza_) {
                    emit_stanza();
                } else {
                    output_ += line + "\n";
                }
            } else if (std::regex_match(line, match, iface_v4) || std::regex_match(line, match, iface_v6)) {
                emit_stanza();
                std::string name = match[1];
                Family family = std::regex_match(line, iface_v4) ? Family::V4 : Family::V6;
                if (managed_.count(name)) {
                    stanza_ = Stanza{family, name, {}};
                } else {
                    output_ += line + "\n";
                }
            } else if (std::regex_match(line, match, auto_line)) {
                static const std::regex separator(R"(\s+)");
                std::string names = match[1];
                for (std::sregex_token_iterator it(names.begin(), names.end(), separator, -1), end; it != end; ++it)
                    auto_seen_.insert(*it);
                emit_stanza();
                output_ += line + "\n";
            } else if (std::regex_search(line, other_section)) {
                emit_stanza();
                output_ += line + "\n";
            } else if (stanza_ && std::regex_match(line, match, attribute_line)) {
                std::string attribute_name = match[2];
                if (attribute_name != "address" && attribute_name != "netmask" && attribute_name != "gateway" &&
                    attribute_name != "broadcast") {
                    stanza_->attributes.push_back(match[1]);
                }
            } else {
                output_ += line + "\n";
            }
        }
        emit_stanza();
    }

    void append_missing_stanzas() {
        bool need_separator = !output_.empty() && !output_.ends_with("\n\n");
        for (const auto& [name, config] : managed_) {
            for (Family family : {Family::V4, Family::V6}) {
                const auto& emitted = family == Family::V4 ? v4_done_ : v6_done_;
                const auto& method = family == Family::V4 ? config.v4.method : config.v6.method;
                if (emitted.count(name) || !method) continue;
                if (need_separator) {
                    output_ += "\n";
                    need_separator = false;
                }
                stanza_ = Stanza{family, name, {}};
                emit_stanza();
            }
        }
    }

    std::string finish() {
        // Templates older than Debian 8 do not configure the loopback device.
        if (!auto_seen_.count("lo")) output_ = "auto lo\niface lo inet loopback\niface lo inet6 loopback\n\n" + output_;
        return output_;
    }

private:
    // Lines as a line-by-line reader sees them: a final line without newline
    // still counts, the newline itself never does.
    static std::vector<std::string> lines_of(const std::string& text) {
        std::vector<std::string> lines;
        size_t start = 0;
        while (start < text.size()) {
            size_t newline = text.find('\n', start);
            if (newline == std::string::npos) newline = text.size();
            lines.push_back(text.substr(start, newline - start));
            start = newline + 1;
        }
        return lines;
    }

    void emit_stanza() {
        if (!stanza_) return;
        Stanza stanza = std::move(*stanza_);
        stanza_.reset();
        const ManagedInterface& config = managed_.at(stanza.name);
        if (!auto_seen_.count(stanza.name)) {
            output_ += "auto " + stanza.name + "\n";
            auto_seen_.insert(stanza.name);
        }
        bool v4 = stanza.family == Family::V4;
        (v4 ? v4_done_ : v6_done_).insert(stanza.name);
        const FamilyConfig& family = v4 ? config.v4 : config.v6;
        std::string inet = v4 ? "inet" : "inet6";
        if (!family.method) return;  // no address: the stanza is dropped
        if (*family.method != "static") {
            output_ += "iface " + stanza.name + " " + inet + " " + *family.method + "\n\n";
            return;
        }
        output_ += "iface " + stanza.name + " " + inet + " static\n";
        if (style_ == AddressStyle::Cidr) {
            output_ += "\taddress " + family.cidr + "\n";
        } else {
            output_ += "\taddress " + family.address + "\n\tnetmask " + family.netmask + "\n";
        }
        remove_gateway_scripts(stanza.attributes);
        if (family.gateway) {
            output_ += family.gateway_needs_route ? gateway_scripts(stanza.name, *family.gateway)
                                                  : "\tgateway " + *family.gateway + "\n";
        }
        for (const auto& attribute : stanza.attributes) output_ += "\t" + attribute + "\n";
        output_ += "\n";
    }

    const std::map<std::string, ManagedInterface>& managed_;
    AddressStyle style_;
    std::string output_;
    std::optional<Stanza> stanza_;
    std::set<std::string> auto_seen_;
    std::set<std::string> v4_done_;
    std::set<std::string> v6_done_;
};

}  // namespace

std::optional<std::string> render_debian_interfaces(const std::optional<std::string>& existing,
                                                    const std::vector<GuestInterface>& interfaces,
                                                    AddressStyle style) {
    auto managed = managed_interfaces(interfaces);
    if (managed.empty()) return std::nullopt;
    InterfacesWriter writer(managed, style);
    if (existing) writer.rewrite(*existing);
    writer.append_missing_stanzas();
    return writer.finish();
}

}  // namespace pct::guest
