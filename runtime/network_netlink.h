#pragma once
// A small rtnetlink client over libmnl: build one request, send it, get the
// kernel's ACK or error (with its extended-ack text when it gives one).
#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pct {

// One netlink message under construction: the family header first, then
// attributes in order. The buffer never moves, so nest pointers stay valid.
class NetlinkRequest {
public:
    NetlinkRequest(uint16_t type, uint16_t flags);
    NetlinkRequest(const NetlinkRequest&) = delete;
    NetlinkRequest& operator=(const NetlinkRequest&) = delete;

    // Appends a zeroed fixed-size header (ifinfomsg, tcmsg, ...) and returns it.
    template <typename Header>
    Header& add_header() {
        return *static_cast<Header*>(add_zeroed(sizeof(Header)));
    }
    void* add_zeroed(size_t size);

    void add_bytes(uint16_t type, const void* data, size_t size);
    void add_u8(uint16_t type, uint8_t value) { add_bytes(type, &value, sizeof value); }
    void add_u16(uint16_t type, uint16_t value) { add_bytes(type, &value, sizeof value); }
    void add_u32(uint16_t type, uint32_t value) { add_bytes(type, &value, sizeof value); }
    void add_u64(uint16_t type, uint64_t value) { add_bytes(type, &value, sizeof value); }
    void add_string(uint16_t type, const std::string& value);  // NUL-terminated

    nlattr* begin_nested(uint16_t type);
    void end_nested(nlattr* nest);

    nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buffer_.data()); }

private:
    void ensure_room(size_t bytes) const;
    alignas(nlmsghdr) std::array<char, 8192> buffer_{};
};

// What the kernel answered: 0 or a positive errno, plus its explanation.
struct NetlinkAnswer {
    int error = 0;
    std::string kernel_message;
    explicit operator bool() const { return error == 0; }
};

// "<what>: <strerror>" plus " (<kernel message>)" when the kernel gave one.
std::string describe_netlink_failure(const std::string& what, const NetlinkAnswer& answer);

// Calls visit(const nlattr&) for every attribute after a message's family header.
template <typename Visit>
void for_each_attribute(const nlmsghdr& message, size_t header_size, Visit&& visit) {
    const char* start = static_cast<const char*>(mnl_nlmsg_get_payload(&message)) + MNL_ALIGN(header_size);
    int remaining = static_cast<int>(message.nlmsg_len) - static_cast<int>(MNL_NLMSG_HDRLEN + MNL_ALIGN(header_size));
    for (auto* attribute = reinterpret_cast<const nlattr*>(start); mnl_attr_ok(attribute, remaining);
         attribute = mnl_attr_next(attribute)) {
        remaining -= static_cast<int>(MNL_ALIGN(attribute->nla_len));
        visit(*attribute);
    }
}

// Calls visit(const nlattr&) for every attribute nested in `nest`.
template <typename Visit>
void for_each_nested(const nlattr& nest, Visit&& visit) {
    int remaining = static_cast<int>(mnl_attr_get_payload_len(&nest));
    for (auto* attribute = static_cast<const nlattr*>(mnl_attr_get_payload(&nest)); mnl_attr_ok(attribute, remaining);
         attribute = mnl_attr_next(attribute)) {
        remaining -= static_cast<int>(MNL_ALIGN(attribute->nla_len));
        visit(*attribute);
    }
}

class NetlinkSocket {
public:
    // NETLINK_ROUTE in the calling thread's network namespace.
    NetlinkSocket();
    // NETLINK_ROUTE in another network namespace; the calling thread stays where it is.
    static NetlinkSocket in_namespace(int netns_fd);

    NetlinkSocket(NetlinkSocket&& other) noexcept;
    NetlinkSocket& operator=(NetlinkSocket&&) = delete;
    NetlinkSocket(const NetlinkSocket&) = delete;
    ~NetlinkSocket();

    // Sends the request with NLM_F_ACK (a dump when NLM_F_DUMP is set) and
    // hands every reply message to on_reply.
    NetlinkAnswer send(NetlinkRequest& request,
                       const std::function<void(const nlmsghdr&)>& on_reply = nullptr);
    // Like send, but a failure throws UserError(describe_netlink_failure(what, ...)).
    void run(NetlinkRequest& request, const std::string& what);

private:
    mnl_socket* socket_ = nullptr;
    unsigned port_id_ = 0;
    unsigned sequence_ = 0;
    std::vector<char> receive_buffer_;
};

}  // namespace pct
