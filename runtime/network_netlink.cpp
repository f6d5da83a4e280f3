#include "runtime/network_netlink.h"

#include <libmnl/libmnl.h>
#include <sched.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <optional>
#include <stdexcept>
#include <thread>

#include "core/error.h"

namespace pct {

namespace {

constexpr size_t kReceiveBufferSize = 32768;  // what iproute2 uses; a dump message always fits

std::string kernel_message_of(const nlmsghdr& header) {
    // With NETLINK_CAP_ACK the echoed request is cut, so the TLVs follow nlmsgerr directly.
    if (!(header.nlmsg_flags & NLM_F_ACK_TLVS)) return {};
    std::string message;
    mnl_attr_parse(
        &header, sizeof(nlmsgerr),
        [](const nlattr* attribute, void* data) {
            if (mnl_attr_get_type(attribute) == NLMSGERR_ATTR_MSG &&
                mnl_attr_validate(attribute, MNL_TYPE_NUL_STRING) >= 0)
                *static_cast<std::string*>(data) = mnl_attr_get_str(attribute);
            return MNL_CB_OK;
        },
        &message);
    return message;
}

}  // namespace

NetlinkRequest::NetlinkRequest(uint16_t type, uint16_t flags) {
    nlmsghdr* message = mnl_nlmsg_put_header(buffer_.data());
    message->nlmsg_type = type;
    message->nlmsg_flags = NLM_F_REQUEST | flags;
}

void NetlinkRequest::ensure_room(size_t bytes) const {
    const auto* message = reinterpret_cast<const nlmsghdr*>(buffer_.data());
    if (message->nlmsg_len + MNL_ALIGN(bytes) > buffer_.size())
        throw std::length_error("netlink request too large");
}

void* NetlinkRequest::add_zeroed(size_t size) {
    ensure_room(size);
    return mnl_nlmsg_put_extra_header(header(), size);
}

void NetlinkRequest::add_bytes(uint16_t type, const void* data, size_t size) {
    ensure_room(MNL_ATTR_HDRLEN + size);
    mnl_attr_put(header(), type, size, data);
}

void NetlinkRequest::add_string(uint16_t type, const std::string& value) {
    add_bytes(type, value.c_str(), value.size() + 1);
}

nlattr* NetlinkRequest::begin_nested(uint16_t type) {
    ensure_room(MNL_ATTR_HDRLEN);
    return mnl_attr_nest_start(header(), type);
}

void NetlinkRequest::end_nested(nlattr* nest) { mnl_attr_nest_end(header(), nest); }

std::string describe_netlink_failure(const std::string& what, const NetlinkAnswer& answer) {
    std::string text = what + ": " + std::strerror(answer.error);
    if (!answer.kernel_message.empty()) text += " (" + answer.kernel_message + ")";
    return text;
}

NetlinkSocket::NetlinkSocket() : receive_buffer_(kReceiveBufferSize) {
    socket_ = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (!socket_) throw UserError(std::string("cannot open a netlink socket: ") + std::strerror(errno));
    int on = 1;
    // Ask for the kernel's explanation of errors and skip the echo of our request.
    mnl_socket_setsockopt(socket_, NETLINK_EXT_ACK, &on, sizeof on);
    mnl_socket_setsockopt(socket_, NETLINK_CAP_ACK, &on, sizeof on);
    if (mnl_socket_bind(socket_, 0, MNL_SOCKET_AUTOPID) < 0) {
        int error = errno;
        mnl_socket_close(socket_);
        throw UserError(std::string("cannot bind a netlink socket: ") + std::strerror(error));
    }
    port_id_ = mnl_socket_get_portid(socket_);
}

NetlinkSocket NetlinkSocket::in_namespace(int netns_fd) {
    // A socket belongs to the namespace it was created in. A short-lived
    // thread enters the namespace and opens it, so the caller never moves.
    std::optional<NetlinkSocket> opened;
    std::exception_ptr failure;
    std::thread([&] {
        try {
            if (setns(netns_fd, CLONE_NEWNET) != 0)
                throw UserError(std::string("cannot enter the container's network namespace: ") +
                                std::strerror(errno));
            opened.emplace();
        } catch (...) {
            failure = std::current_exception();
        }
    }).join();
    if (failure) std::rethrow_exception(failure);
    return std::move(*opened);
}

NetlinkSocket::NetlinkSocket(NetlinkSocket&& other) noexcept
    : socket_(other.socket_),
      port_id_(other.port_id_),
      sequence_(other.sequence_),
      receive_buffer_(std::move(other.receive_buffer_)) {
    other.socket_ = nullptr;
}

NetlinkSocket::~NetlinkSocket() {
    if (socket_) mnl_socket_close(socket_);
}

NetlinkAnswer NetlinkSocket::send(NetlinkRequest& request,
                                  const std::function<void(const nlmsghdr&)>& on_reply) {
    nlmsghdr* message = request.header();
    const bool dump = (message->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
    message->nlmsg_flags |= NLM_F_ACK;
    message->nlmsg_seq = ++sequence_;
    if (mnl_socket_sendto(socket_, message, message->nlmsg_len) < 0) return {errno, {}};

    for (;;) {
        ssize_t received = mnl_socket_recvfrom(socket_, receive_buffer_.data(), receive_buffer_.size());
        if (received < 0) {
            if (errno == EINTR) continue;
            return {errno, {}};
        }
        int remaining = static_cast<int>(received);
        for (auto* reply = reinterpret_cast<const nlmsghdr*>(receive_buffer_.data());
             mnl_nlmsg_ok(reply, remaining); reply = mnl_nlmsg_next(reply, &remaining)) {
            if (reply->nlmsg_seq != sequence_ || reply->nlmsg_pid != port_id_) continue;  // stale
            if (reply->nlmsg_type == NLMSG_ERROR) {
                const auto* error = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(reply));
                if (error->error == 0 && dump) continue;  // ack of the dump request itself
                return {-error->error, error->error ? kernel_message_of(*reply) : std::string()};
            }
            if (reply->nlmsg_type == NLMSG_DONE) {
                if (!dump) continue;
                const int* status = static_cast<const int*>(mnl_nlmsg_get_payload(reply));
                if (mnl_nlmsg_get_payload_len(reply) >= sizeof(int) && *status < 0) return {-*status, {}};
                return {};
            }
            if (on_reply) on_reply(*reply);
        }
    }
}

void NetlinkSocket::run(NetlinkRequest& request, const std::string& what) {
    NetlinkAnswer answer = send(request);
    if (!answer) throw UserError(describe_netlink_failure(what, answer));
}

}  // namespace pct
