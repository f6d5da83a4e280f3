#include "runtime/network_traffic_shaping.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <array>
#include <limits>

#include "core/error.h"

namespace pct {

namespace {

constexpr uint32_t kBurstBytes = 1024 * 1024;
constexpr uint32_t kPolicerMtu = 64 * 1024;  // "mtu 64kb"
constexpr uint32_t kHtbCeilBurstBytes = 1600;  // tc's default cbuffer: ceil/HZ (≈0) + mtu 1600
constexpr uint32_t kHtbMtu = 1600;             // tc's default when sizing the HTB rate table
constexpr uint32_t kHtbHandle = 0x00010000;    // 1:
constexpr uint32_t kHtbClass = 0x00010001;     // 1:1
constexpr uint32_t kIngressHandle = 0xffff0000;  // ffff:
constexpr uint16_t kPolicerPriority = 50;

// Time to send `bytes` at `rate` in packet-scheduler ticks (15.625 per
// microsecond: 64 ns each, PSCHED_SHIFT, as /proc/net/psched reports),
// computed as tc's tc_calc_xmittime does, whole microseconds first, so the
// kernel gets exactly what `tc ... rate <r>bps burst <b>b` would give it.
uint32_t transmit_time_ticks(uint64_t rate_bytes_per_second, uint64_t bytes) {
    const double microseconds = 1e6 * static_cast<double>(bytes) / static_cast<double>(rate_bytes_per_second);
    const double ticks = static_cast<double>(static_cast<uint32_t>(microseconds)) * 15.625;
    return ticks >= std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max()
                                                         : static_cast<uint32_t>(ticks);
}

// tc's tc_calc_rtable: the old per-size transmit time table some parts of
// the kernel still require next to the rate (the policer does).
using RateTable = std::array<uint32_t, 256>;

RateTable rate_table(tc_ratespec& spec, uint64_t rate_bytes_per_second, uint32_t mtu) {
    uint8_t cell_log = 0;
    while ((mtu >> cell_log) > 255) ++cell_log;
    RateTable table{};
    for (size_t i = 0; i < table.size(); ++i)
        table[i] = transmit_time_ticks(rate_bytes_per_second, static_cast<uint64_t>(i + 1) << cell_log);
    spec.cell_log = cell_log;
    spec.cell_align = -1;
    spec.linklayer = TC_LINKLAYER_ETHERNET;
    return table;
}

void set_rate(tc_ratespec& spec, uint64_t rate_bytes_per_second) {
    spec.rate = rate_bytes_per_second >= (1ULL << 32) ? ~0U : static_cast<uint32_t>(rate_bytes_per_second);
}

tcmsg& add_tc_header(NetlinkRequest& request, const LinkInfo& link, uint32_t parent, uint32_t handle) {
    auto& header = request.add_header<tcmsg>();
    header.tcm_family = AF_UNSPEC;
    header.tcm_ifindex = link.index;
    header.tcm_parent = parent;
    header.tcm_handle = handle;
    return header;
}

void delete_qdisc(NetlinkSocket& socket, const LinkInfo& link, uint32_t parent, uint32_t handle) {
    NetlinkRequest request(RTM_DELQDISC, 0);
    add_tc_header(request, link, parent, handle);
    socket.send(request);  // nothing to remove is fine: deleting a qdisc also removes its classes and filters
}

void add_htb_root(NetlinkSocket& socket, const LinkInfo& link) {
    NetlinkRequest request(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL);
    add_tc_header(request, link, TC_H_ROOT, kHtbHandle);
    request.add_string(TCA_KIND, "htb");
    nlattr* options = request.begin_nested(TCA_OPTIONS);
    tc_htb_glob global{.version = TC_HTB_PROTOVER, .rate2quantum = 10, .defcls = 1};
    request.add_bytes(TCA_HTB_INIT, &global, sizeof global);
    request.end_nested(options);
    socket.run(request, "cannot add the htb qdisc to '" + link.name + "'");
}

void add_htb_class(NetlinkSocket& socket, const LinkInfo& link, uint64_t rate) {
    NetlinkRequest request(RTM_NEWTCLASS, NLM_F_CREATE | NLM_F_EXCL);
    add_tc_header(request, link, kHtbHandle, kHtbClass);
    request.add_string(TCA_KIND, "htb");
    tc_htb_opt class_options{};
    set_rate(class_options.rate, rate);
    set_rate(class_options.ceil, rate);
    const RateTable rates = rate_table(class_options.rate, rate, kHtbMtu);
    const RateTable ceils = rate_table(class_options.ceil, rate, kHtbMtu);
    class_options.buffer = transmit_time_ticks(rate, kBurstBytes);
    class_options.cbuffer = transmit_time_ticks(rate, kHtbCeilBurstBytes);
    nlattr* options = request.begin_nested(TCA_OPTIONS);
    request.add_bytes(TCA_HTB_PARMS, &class_options, sizeof class_options);
    if (rate >= (1ULL << 32)) {
        request.add_u64(TCA_HTB_RATE64, rate);
        request.add_u64(TCA_HTB_CEIL64, rate);
    }
    request.add_bytes(TCA_HTB_RTAB, rates.data(), sizeof rates);
    request.add_bytes(TCA_HTB_CTAB, ceils.data(), sizeof ceils);
    request.end_nested(options);
    socket.run(request, "cannot add the htb class to '" + link.name + "'");
}

void add_ingress_qdisc(NetlinkSocket& socket, const LinkInfo& link) {
    NetlinkRequest request(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL);
    add_tc_header(request, link, TC_H_INGRESS, kIngressHandle);
    request.add_string(TCA_KIND, "ingress");
    socket.run(request, "cannot add the ingress qdisc to '" + link.name + "'");
}

void add_ingress_policer(NetlinkSocket& socket, const LinkInfo& link, uint64_t rate) {
    NetlinkRequest request(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL);
    tcmsg& header = add_tc_header(request, link, kIngressHandle, 0);
    header.tcm_info = TC_H_MAKE(static_cast<uint32_t>(kPolicerPriority) << 16, htons(ETH_P_ALL));
    request.add_string(TCA_KIND, "basic");
    tc_police police{};
    police.action = TC_ACT_SHOT;
    police.mtu = kPolicerMtu;
    set_rate(police.rate, rate);
    const RateTable rates = rate_table(police.rate, rate, kPolicerMtu);
    police.burst = transmit_time_ticks(rate, kBurstBytes);
    nlattr* options = request.begin_nested(TCA_OPTIONS);
    nlattr* policer = request.begin_nested(TCA_BASIC_POLICE);
    request.add_bytes(TCA_POLICE_TBF, &police, sizeof police);
    request.add_bytes(TCA_POLICE_RATE, rates.data(), sizeof rates);
    if (rate >= (1ULL << 32)) request.add_u64(TCA_POLICE_RATE64, rate);
    request.end_nested(policer);
    request.end_nested(options);
    socket.run(request, "cannot add the ingress policer to '" + link.name + "'");
}

}  // namespace

uint64_t rate_limit_bytes_per_second(double rate_mb_per_second) {
    return static_cast<uint64_t>(rate_mb_per_second * 1024 * 1024);
}

void apply_rate_limit(NetlinkSocket& socket, const LinkInfo& link, std::optional<double> rate_mb_per_second) {
    delete_qdisc(socket, link, TC_H_INGRESS, kIngressHandle);
    delete_qdisc(socket, link, TC_H_ROOT, 0);
    const uint64_t rate = rate_mb_per_second ? rate_limit_bytes_per_second(*rate_mb_per_second) : 0;
    if (rate == 0) return;
    add_htb_root(socket, link);
    add_htb_class(socket, link, rate);
    add_ingress_qdisc(socket, link);
    add_ingress_policer(socket, link, rate);
}

}  // namespace pct
