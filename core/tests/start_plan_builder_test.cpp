#include "core/start_plan_builder.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/device_policy.h"
#include "core/error.h"
#include "core/tests/start_plan_test_support.h"

namespace pct {
namespace {

using namespace pct::testing;

const SpecialMountPlan* find_mount(const StartPlan& plan, const std::string& what, const std::string& target) {
    for (const auto& mount : plan.special_mounts)
        if (mount.what == what && mount.target == target) return &mount;
    return nullptr;
}

bool has_warning(const StartPlan& plan, const std::string& text) {
    return std::any_of(plan.warnings.begin(), plan.warnings.end(),
                       [&](const std::string& warning) { return warning.find(text) != std::string::npos; });
}

std::vector<std::string> volume_keys(const StartPlan& plan) {
    std::vector<std::string> keys;
    for (const auto& volume : plan.volumes) keys.push_back(volume.key);
    return keys;
}

bool has_seccomp_rule(const StartPlan& plan, const std::string& syscall) {
    return std::any_of(plan.seccomp.rules.begin(), plan.seccomp.rules.end(),
                       [&](const SeccompRule& rule) { return rule.syscall == syscall; });
}

// ---- identity and privileges -------------------------------------------------

TEST(StartPlan, PrivilegedDefaults) {
    StartPlan plan = plan_for(base_config + "hostname: web1\n");
    EXPECT_EQ(plan.vmid, 100);
    EXPECT_FALSE(plan.unprivileged);
    EXPECT_TRUE(plan.idmap.empty());
    EXPECT_FALSE(plan.namespaces.user);
    EXPECT_TRUE(plan.namespaces.mount && plan.namespaces.pid && plan.namespaces.uts && plan.namespaces.ipc &&
                plan.namespaces.network && plan.namespaces.cgroup);
    EXPECT_EQ(plan.hostname, "web1");
    EXPECT_EQ(plan.arch, "amd64");
    EXPECT_EQ(plan.personality, "linux");
    EXPECT_EQ(plan.root_uid, 0u);
    EXPECT_EQ(plan.capabilities_dropped,
              (std::vector<std::string>{"CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE", "CAP_SYS_TIME", "CAP_SYS_MODULE", "CAP_SYS_RAWIO"}));
    EXPECT_TRUE(plan.capabilities_kept.empty());
    ASSERT_EQ(plan.devices.size(), 6u);
    for (const auto& device : plan.devices) EXPECT_FALSE(device.bind_from_host) << device.path;
    ASSERT_FALSE(plan.cgroup.device_rules.empty());
    EXPECT_FALSE(plan.cgroup.device_rules[0].allow);  // deny a: allow-list mode
    EXPECT_EQ(plan.seccomp.rules.size(), 6u);
    EXPECT_EQ(plan.apparmor_profile_name, "pct-100");
    EXPECT_NE(plan.apparmor_profile.find("profile \"pct-100\""), std::string::npos);
    EXPECT_EQ(plan.init.argv, (std::vector<std::string>{"/sbin/init"}));
    EXPECT_EQ(plan.init.env, (std::vector<std::string>{"container=lxc", "TERM=linux"}));
    EXPECT_EQ(plan.cgroup.limit_path, "lxc/100");
    EXPECT_EQ(plan.cgroup.payload_path, "lxc/100/ns");
}

TEST(StartPlan, HostMountPlanHasTheStartsVolumesAndNothingElse) {
    // A missing bridge stops a start, not a mount of the container's files.
    const ContainerConfig config =
        config_from(unprivileged_config + "mp0: local:100/subvol-100-disk-1.subvol,mp=/data\nnet0: name=eth0,bridge=vmbr9\n");
    const HostMountPlan plan = build_host_mount_plan(config, fake_resolve);
    ASSERT_EQ(plan.volumes.size(), 2u);
    EXPECT_EQ(plan.volumes[0].key, "rootfs");
    EXPECT_EQ(plan.volumes[1].key, "mp0");
    EXPECT_EQ(plan.root_uid, 100000u);
    EXPECT_EQ(plan.root_gid, 100000u);
    EXPECT_EQ(build_host_mount_plan(config_from(base_config), fake_resolve).root_uid, 0u);
    try {
        build_host_mount_plan(config_from(unprivileged_config + "mp0: local:100/vm-100-disk-1.raw,mp=/q,quota=1\n"),
                              fake_resolve);
        ADD_FAILURE() << "no error";
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "Quotas are not supported by unprivileged containers.");
    }
}

TEST(StartPlan, HostnameDefaultsToCtId) { EXPECT_EQ(plan_for(base_config).hostname, "CT100"); }

TEST(StartPlan, UnprivilegedDefaults) {
    StartPlan plan = plan_for(unprivileged_config);
    EXPECT_TRUE(plan.unprivileged);
    EXPECT_TRUE(plan.namespaces.user);
    EXPECT_EQ(plan.idmap, default_unprivileged_idmap());
    EXPECT_EQ(plan.root_uid, 100000u);
    EXPECT_EQ(plan.root_gid, 100000u);
    EXPECT_TRUE(plan.capabilities_dropped.empty());
    ASSERT_EQ(plan.cgroup.device_rules.size(), 1u);
    EXPECT_TRUE(plan.cgroup.device_rules[0].allow);
    EXPECT_EQ(plan.cgroup.device_rules[0].type, 'a');
    for (const auto& device : plan.devices) {
        EXPECT_TRUE(device.bind_from_host) << device.path;
        EXPECT_EQ(device.host_path, device.path);
    }
    EXPECT_TRUE(has_seccomp_rule(plan, "keyctl"));
    EXPECT_TRUE(has_seccomp_rule(plan, "ioctl"));
    EXPECT_TRUE(has_seccomp_rule(plan, "socket"));
}

TEST(StartPlan, CustomIdmapAloneMakesTheContainerUnprivileged) {
    StartPlan plan = plan_for(base_config + "lxc.idmap: u 0 200000 65536\nlxc.idmap: g 0 300000 65536\n");
    EXPECT_TRUE(plan.unprivileged);
    EXPECT_EQ(plan.idmap, (std::vector<IdMapEntry>{{'u', 0, 200000, 65536}, {'g', 0, 300000, 65536}}));
    EXPECT_EQ(plan.root_uid, 200000u);
    EXPECT_EQ(plan.root_gid, 300000u);
    EXPECT_TRUE(plan.capabilities_dropped.empty());
}

TEST(StartPlan, OverlappingIdmapIsAnError) {
    EXPECT_NE(plan_error(base_config + "lxc.idmap: u 0 100000 65536\nlxc.idmap: u 1005 1005 1\nlxc.idmap: g 0 100000 65536\n")
                  .find("lxc.idmap: invalid map entry 'u 1005 1005 1'"),
              std::string::npos);
}

TEST(StartPlan, MissingRootfs) {
    EXPECT_EQ(plan_error("arch: amd64\nostype: debian\n"), "missing 'rootfs' configuration");
}

TEST(StartPlan, MissingOstypeUsesGenericSettingsWithAWarning) {
    StartPlan plan = plan_for("rootfs: /srv/ct100\n");
    EXPECT_EQ(plan.ostype, "");
    EXPECT_EQ(plan.console.tty_dir, "lxc");
    EXPECT_TRUE(has_warning(plan, "'ostype' is not set"));
}

TEST(StartPlan, ThirtyTwoBitArchGetsLinux32Personality) {
    EXPECT_EQ(plan_for("arch: i386\nostype: debian\nrootfs: /srv/ct\n").personality, "linux32");
    for (const char* arch : {"i386", "i486", "i586", "i686", "x86", "armhf", "armel", "armv7l", "linux32"})
        EXPECT_EQ(plan_for(std::string("ostype: debian\nrootfs: /srv/ct\nlxc.arch: ") + arch + "\n").personality, "linux32") << arch;
    for (const char* arch : {"amd64", "x86_64", "arm64", "i786", "i86", "x86x", "riscv64"})
        EXPECT_EQ(plan_for(std::string("ostype: debian\nrootfs: /srv/ct\nlxc.arch: ") + arch + "\n").personality, "linux") << arch;
}

// ---- capabilities per ostype -------------------------------------------------

TEST(StartPlan, CapabilityDropsPerOstype) {
    auto drops = [](const std::string& ostype) {
        return plan_for("arch: amd64\nostype: " + ostype + "\nrootfs: /srv/ct\n").capabilities_dropped;
    };
    auto contains = [](const std::vector<std::string>& list, const std::string& name) {
        return std::find(list.begin(), list.end(), name) != list.end();
    };
    EXPECT_EQ(drops("debian").size(), 5u);
    EXPECT_TRUE(contains(drops("centos"), "CAP_SYS_NICE"));
    EXPECT_FALSE(contains(drops("centos"), "CAP_SETFCAP"));
    EXPECT_TRUE(contains(drops("fedora"), "CAP_SETFCAP"));
    EXPECT_TRUE(contains(drops("archlinux"), "CAP_SYS_PACCT"));
    EXPECT_TRUE(contains(drops("alpine"), "CAP_MKNOD"));
    EXPECT_TRUE(contains(drops("alpine"), "CAP_WAKE_ALARM"));
    EXPECT_EQ(drops("alpine").size(), 5u + 9u);
}

// ---- console and ttys --------------------------------------------------------

TEST(StartPlan, TtyDirPerOstypeAndPrivilege) {
    EXPECT_EQ(plan_for("ostype: ubuntu\nrootfs: /srv/ct\n").console.tty_dir, "lxc");
    EXPECT_EQ(plan_for("ostype: centos\nrootfs: /srv/ct\n").console.tty_dir, "lxc");
    for (const char* ostype : {"debian", "devuan", "alpine", "gentoo", "opensuse"})
        EXPECT_EQ(plan_for(std::string("ostype: ") + ostype + "\nrootfs: /srv/ct\n").console.tty_dir, "") << ostype;
    EXPECT_EQ(plan_for("ostype: ubuntu\nunprivileged: 1\nrootfs: /srv/ct\n").console.tty_dir, "");
}

TEST(StartPlan, TtyCountSetsDevptsMax) {
    StartPlan plan = plan_for(base_config + "tty: 6\ncmode: console\n");
    EXPECT_EQ(plan.console.ttys, 6u);
    EXPECT_EQ(plan.console.mode, "console");
    const SpecialMountPlan* devpts = find_mount(plan, "devpts", "/dev/pts");
    ASSERT_NE(devpts, nullptr);
    EXPECT_EQ(devpts->data, "newinstance,ptmxmode=0666,mode=0620,gid=5,max=1030");
    EXPECT_EQ(devpts->flags, (std::vector<std::string>{"nosuid", "noexec"}));
    EXPECT_NE(find_mount(plan, "bind", "/dev/ptmx"), nullptr);
}

TEST(StartPlan, ConsoleOffDeniesTheConsoleDevice) {
    StartPlan plan = plan_for(base_config + "console: 0\n");
    EXPECT_FALSE(plan.console.console);
    const DeviceRule& last = plan.cgroup.device_rules.back();
    EXPECT_FALSE(last.allow);
    EXPECT_EQ(last.type, 'c');
    EXPECT_EQ(last.major, 5);
    EXPECT_EQ(last.minor, 1);
    EXPECT_EQ(last.access, "rwm");
    EXPECT_FALSE(plan_for(unprivileged_config + "console: 0\n").cgroup.device_rules.back().allow);
}

// ---- volumes -----------------------------------------------------------------

TEST(StartPlan, MountPointsParentBeforeChild) {
    StartPlan plan = plan_for(base_config + "mp0: /srv/b,mp=/a/b\nmp1: /srv/a,mp=/a\nmp2: /srv/c,mp=/c\n");
    EXPECT_EQ(volume_keys(plan), (std::vector<std::string>{"rootfs", "mp1", "mp2", "mp0"}));
    EXPECT_EQ(plan.volumes[0].target, "/");
    EXPECT_EQ(plan.volumes[0].kind, VolumeSourceKind::RawImage);
    EXPECT_EQ(plan.volumes[0].source, "/var/lib/vz/images/100/vm-100-disk-0.raw");
}

TEST(StartPlan, SameDepthKeepsIndexOrder) {
    StartPlan plan = plan_for(base_config + "mp3: /srv/x,mp=/x\nmp1: /srv/y,mp=/y\nmp2: /srv/z,mp=/x/\n");
    EXPECT_EQ(volume_keys(plan), (std::vector<std::string>{"rootfs", "mp1", "mp2", "mp3"}));
    EXPECT_EQ(plan.volumes[2].target, "/x");
}

TEST(StartPlan, ReadOnlyBindMountKeepsOnlyRestrictingOptions) {
    StartPlan plan = plan_for(base_config + "mp0: /srv/data,mp=/data,ro=1,mountoptions=noatime;nodev;nosuid\n");
    const VolumeMountPlan& mp = plan.volumes[1];
    EXPECT_EQ(mp.kind, VolumeSourceKind::BindDirectory);
    EXPECT_EQ(mp.source, "/srv/data");
    EXPECT_EQ(mp.target, "/data");
    EXPECT_TRUE(mp.read_only);
    EXPECT_EQ(mp.flags, (std::vector<std::string>{"nodev", "nosuid"}));
}

TEST(StartPlan, VolumeKindsAndOptions) {
    StartPlan plan = plan_for(base_config +
                              "mp0: local:100/subvol-100-disk-1.subvol,mp=/srv,acl=1\n"
                              "mp1: /dev/sdb,mp=/disk,acl=0,mountoptions=discard;lazytime\n"
                              "mp2: local:100/vm-100-disk-2.raw,mp=/img,acl=0,keepattrs=1\n");
    EXPECT_EQ(plan.volumes[1].kind, VolumeSourceKind::Directory);
    EXPECT_EQ(plan.volumes[1].fs_options, "");  // bind mounts take no file system options
    EXPECT_EQ(plan.volumes[2].kind, VolumeSourceKind::BlockDevice);
    EXPECT_EQ(plan.volumes[2].fs_options, "discard,noacl");
    EXPECT_EQ(plan.volumes[2].flags, (std::vector<std::string>{"lazytime"}));
    EXPECT_EQ(plan.volumes[3].kind, VolumeSourceKind::RawImage);
    EXPECT_EQ(plan.volumes[3].fs_options, "");  // ext4 dropped noacl
    EXPECT_TRUE(plan.volumes[3].keep_attributes);
}

TEST(StartPlan, QuotaIsRefusedForUnprivilegedContainers) {
    EXPECT_EQ(plan_error(unprivileged_config + "mp0: local:100/vm-100-disk-1.raw,mp=/q,quota=1\n"),
              "Quotas are not supported by unprivileged containers.");
}

TEST(StartPlan, QuotaOnImagesAndWarningsForBinds) {
    StartPlan plan = plan_for(base_config + "mp0: local:100/vm-100-disk-1.raw,mp=/q,quota=1\nmp1: /srv/x,mp=/x,quota=1\n"
                                            "mp2: local:100/subvol-100-disk-2.subvol,mp=/s,quota=1\n");
    EXPECT_EQ(plan.volumes[1].fs_options, "usrjquota=aquota.user,grpjquota=aquota.group,jqfmt=vfsv0");
    EXPECT_TRUE(plan.volumes[1].quota_device);
    EXPECT_TRUE(has_warning(plan, "mp1: cannot enable quota control for bind mounts"));
    EXPECT_TRUE(has_warning(plan, "mp2: cannot enable quota control for bind mounted subvolumes"));
}

TEST(StartPlan, MountPointIdmap) {
    const std::string mp = "mp0: /srv/shared,mp=/shared,idmap=u:1000:1000:1;g:1000:1000:1\n";
    StartPlan privileged = plan_for(base_config + mp);
    EXPECT_TRUE(privileged.volumes[1].idmap.empty());
    EXPECT_TRUE(has_warning(privileged, "'mp0' - ignoring 'idmap' option unsupported by privileged container"));

    StartPlan unprivileged = plan_for(unprivileged_config + mp);
    const auto& map = unprivileged.volumes[1].idmap;
    ASSERT_FALSE(map.empty());
    // Disk id 1000 lands on the host id of container id 1000.
    EXPECT_NE(std::find(map.begin(), map.end(), IdMapEntry{'u', 1000, 101000, 1}), map.end());
    EXPECT_EQ(plan_for(unprivileged_config + "mp0: /srv/s,mp=/s,idmap=passthrough\n").volumes[1].idmap, unprivileged.idmap);
}

TEST(StartPlan, ResolverErrorsNameTheKey) {
    auto failing = [](const std::string& volid) -> ResolvedVolume { throw UserError("storage 'nas' does not exist (" + volid + ")"); };
    try {
        build_start_plan(config_from("ostype: debian\nrootfs: nas:100/vm-100-disk-0.raw\n"), 100, fake_host_facts(), failing);
        FAIL() << "no error";
    } catch (const UserError& e) {
        EXPECT_EQ(std::string(e.what()), "rootfs: storage 'nas' does not exist (nas:100/vm-100-disk-0.raw)");
    }
}

// ---- special mounts ----------------------------------------------------------

TEST(StartPlan, SpecialMountOrder) {
    StartPlan plan = plan_for(base_config);
    std::vector<std::string> steps;
    for (const auto& mount : plan.special_mounts) steps.push_back(mount.what + " " + mount.target);
    EXPECT_EQ(steps, (std::vector<std::string>{
                         "tmpfs /dev",
                         "proc /proc",
                         "bind /proc/tty",
                         "bind /proc/sys",
                         "move /proc/sys/net",
                         "bind /proc/sysrq-trigger",
                         "sysfs /proc/sys",
                         "sysfs /sys",
                         "bind /sys/devices/virtual/net",
                         "umount /proc/sys",
                         "cgroup2 /sys/fs/cgroup",
                         "devpts /dev/pts",
                         "bind /dev/ptmx",
                         "symlink /dev/fd",
                         "symlink /dev/stdin",
                         "symlink /dev/stdout",
                         "symlink /dev/stderr",
                         "boot-id /proc/sys/kernel/random/boot_id",
                     }));
    EXPECT_EQ(plan.special_mounts[0].data, "mode=0755,size=500000");
    EXPECT_EQ(find_mount(plan, "bind", "/proc/sys")->flags, (std::vector<std::string>{"bind", "ro"}));
    EXPECT_EQ(find_mount(plan, "sysfs", "/sys")->flags, (std::vector<std::string>{"ro", "nosuid", "nodev", "noexec"}));
}

TEST(StartPlan, ProcSysNetStaysReadOnlyWithoutNetAdmin) {
    StartPlan plan = plan_for(base_config + "lxc.cap.drop: net_admin\n");
    EXPECT_EQ(find_mount(plan, "bind", "/proc/tty"), nullptr);
    EXPECT_EQ(find_mount(plan, "move", "/proc/sys/net"), nullptr);
    EXPECT_NE(find_mount(plan, "bind", "/proc/sys"), nullptr);
}

TEST(StartPlan, SysModes) {
    EXPECT_NE(find_mount(plan_for(unprivileged_config), "umount", "/proc/sys"), nullptr);  // sys:mixed
    StartPlan rw = plan_for(unprivileged_config + "features: force_rw_sys=1\n");
    EXPECT_EQ(find_mount(rw, "umount", "/proc/sys"), nullptr);
    ASSERT_NE(find_mount(rw, "sysfs", "/sys"), nullptr);
    EXPECT_TRUE(find_mount(rw, "sysfs", "/sys")->flags.empty());
    // force_rw_sys means nothing for privileged containers.
    EXPECT_NE(find_mount(plan_for(base_config + "features: force_rw_sys=1\n"), "umount", "/proc/sys"), nullptr);
}

TEST(StartPlan, CgroupMountsOnAHybridHost) {
    StartPlan plan = plan_for(base_config, hybrid_host_facts());
    EXPECT_EQ(plan.cgroup.version, 1u);
    const SpecialMountPlan* tmpfs = find_mount(plan, "tmpfs", "/sys/fs/cgroup");
    ASSERT_NE(tmpfs, nullptr);
    const SpecialMountPlan* cpu = find_mount(plan, "cgroup", "/sys/fs/cgroup/cpu,cpuacct");
    ASSERT_NE(cpu, nullptr);
    EXPECT_EQ(cpu->data, "cpu,cpuacct");
    EXPECT_EQ(cpu->create, "dir");
    EXPECT_NE(find_mount(plan, "symlink", "/sys/fs/cgroup/cpu"), nullptr);
    EXPECT_EQ(find_mount(plan, "cgroup", "/sys/fs/cgroup/systemd")->data, "name=systemd");
    EXPECT_NE(find_mount(plan, "cgroup2", "/sys/fs/cgroup/unified"), nullptr);
    const SpecialMountPlan* remount = find_mount(plan, "remount", "/sys/fs/cgroup");
    ASSERT_NE(remount, nullptr);
    EXPECT_EQ(remount->flags[0], "ro");
    EXPECT_GT(remount, cpu);
}

TEST(StartPlan, OstypeExtraMounts) {
    StartPlan alpine = plan_for("ostype: alpine\nrootfs: /srv/ct\n");
    ASSERT_NE(find_mount(alpine, "tmpfs", "/run"), nullptr);
    EXPECT_EQ(find_mount(alpine, "tmpfs", "/run")->data, "mode=755");
    const SpecialMountPlan* shm = find_mount(alpine, "tmpfs", "/dev/shm");
    ASSERT_NE(shm, nullptr);
    EXPECT_EQ(shm->data, "mode=1777");
    EXPECT_EQ(shm->create, "dir");
    EXPECT_NE(find_mount(plan_for("ostype: gentoo\nrootfs: /srv/ct\n"), "tmpfs", "/dev/shm"), nullptr);
    StartPlan ubuntu = plan_for("ostype: ubuntu\nrootfs: /srv/ct\n");
    const SpecialMountPlan* mqueue = find_mount(ubuntu, "mqueue", "/dev/mqueue");
    ASSERT_NE(mqueue, nullptr);
    EXPECT_TRUE(mqueue->optional);
    EXPECT_TRUE(find_mount(ubuntu, "bind", "/sys/kernel/debug")->host_source);
    EXPECT_EQ(find_mount(ubuntu, "bind", "/proc/sys/fs/binfmt_misc"), nullptr);
    EXPECT_NE(find_mount(plan_for("ostype: ubuntu\nunprivileged: 1\nrootfs: /srv/ct\n"), "bind", "/proc/sys/fs/binfmt_misc"), nullptr);
    EXPECT_EQ(find_mount(plan_for(base_config), "tmpfs", "/dev/shm"), nullptr);
}

TEST(StartPlan, FuseConnectionsOnlyWhenPresent) {
    StartHostFacts facts = fake_host_facts();
    EXPECT_EQ(find_mount(plan_for(base_config, facts), "bind", "/sys/fs/fuse/connections"), nullptr);
    facts.fuse_connections = true;
    StartPlan plan = plan_for(base_config, facts);
    const SpecialMountPlan* fuse = find_mount(plan, "bind", "/sys/fs/fuse/connections");
    ASSERT_NE(fuse, nullptr);
    EXPECT_TRUE(fuse->optional);
}

// ---- features ----------------------------------------------------------------

TEST(StartPlan, NestingFeature) {
    StartPlan plan = plan_for(unprivileged_config + "features: nesting=1\n");
    const SpecialMountPlan* proc = find_mount(plan, "proc", "/dev/.lxc/proc");
    ASSERT_NE(proc, nullptr);
    EXPECT_EQ(proc->create, "dir");
    EXPECT_TRUE(proc->optional);
    EXPECT_NE(find_mount(plan, "sysfs", "/dev/.lxc/sys"), nullptr);
    EXPECT_NE(plan.apparmor_profile.find("\n  mount,\n"), std::string::npos);
    EXPECT_EQ(plan.apparmor_profile.find("deny mount -> /proc/,"), std::string::npos);
    EXPECT_EQ(find_mount(plan_for(unprivileged_config), "proc", "/dev/.lxc/proc"), nullptr);
    // lxc.apparmor.allow_nesting has the same effect.
    EXPECT_NE(find_mount(plan_for(base_config + "lxc.apparmor.allow_nesting: 1\n"), "proc", "/dev/.lxc/proc"), nullptr);
}

TEST(StartPlan, KeyctlFeatureOnlyMattersForUnprivileged) {
    EXPECT_FALSE(has_seccomp_rule(plan_for(unprivileged_config + "features: keyctl=1\n"), "keyctl"));
    EXPECT_TRUE(has_seccomp_rule(plan_for(unprivileged_config), "keyctl"));
    EXPECT_FALSE(has_seccomp_rule(plan_for(base_config), "keyctl"));
    EXPECT_FALSE(has_seccomp_rule(plan_for(base_config + "features: keyctl=1\n"), "keyctl"));
}

TEST(StartPlan, FuseFeature) {
    StartPlan plan = plan_for(unprivileged_config + "features: fuse=1\n");
    const SpecialMountPlan* fuse = find_mount(plan, "bind", "/dev/fuse");
    ASSERT_NE(fuse, nullptr);
    EXPECT_TRUE(fuse->host_source);
    EXPECT_EQ(fuse->source, "/dev/fuse");
    EXPECT_EQ(fuse->create, "file");
    EXPECT_NE(plan.apparmor_profile.find("container settings"), std::string::npos);
    EXPECT_NE(plan.apparmor_profile.rfind("mount fstype=fuse,\n"), plan.apparmor_profile.find("mount fstype=fuse,\n"));
}

TEST(StartPlan, MountFeatureAddsAppArmorRules) {
    StartPlan plan = plan_for(base_config + "features: mount=nfs;cifs\n");
    EXPECT_NE(plan.apparmor_profile.find("  mount fstype=nfs,\n  mount fstype=cifs,\n"), std::string::npos);
}

TEST(StartPlan, MknodFeature) {
    StartPlan plan = plan_for(unprivileged_config + "features: mknod=1\n");
    EXPECT_TRUE(has_seccomp_rule(plan, "mknod"));
    EXPECT_TRUE(has_seccomp_rule(plan, "mknodat"));
    EXPECT_EQ(plan.seccomp.notify_cookie, "100");
    EXPECT_FALSE(has_seccomp_rule(plan_for(base_config + "features: mknod=1\n"), "mknod"));

    StartHostFacts old_kernel = fake_host_facts();
    old_kernel.kernel = {5, 2, 0};
    EXPECT_EQ(plan_error(unprivileged_config + "features: mknod=1\n", old_kernel),
              "'mknod' feature requested, but kernel too old (found 5.2.0, required >= 5.3)");
}

TEST(StartPlan, EntrypointGetsArgvAndShm) {
    StartPlan plan = plan_for(base_config + "entrypoint: /usr/bin/app --name 'my app' -v\n"
                                            "lxc.environment.runtime: A=1\nlxc.environment.runtime: TERM=xterm\n");
    EXPECT_EQ(plan.init.argv, (std::vector<std::string>{"/usr/bin/app", "--name", "my app", "-v"}));
    const SpecialMountPlan* shm = find_mount(plan, "tmpfs", "/dev/shm");
    ASSERT_NE(shm, nullptr);
    EXPECT_EQ(shm->flags, (std::vector<std::string>{"nosuid", "nodev"}));
    EXPECT_EQ(plan.init.env, (std::vector<std::string>{"container=lxc", "TERM=xterm", "A=1"}));
    EXPECT_EQ(find_mount(plan_for(base_config + "entrypoint: /sbin/init\n"), "tmpfs", "/dev/shm"), nullptr);
}

TEST(StartPlan, HaltSignals) {
    EXPECT_EQ(plan_for("ostype: archlinux\nrootfs: /srv/ct\n").init.halt_signal, "SIGRTMIN+4");
    EXPECT_EQ(plan_for(base_config).init.halt_signal, "");
    StartPlan plan = plan_for(base_config + "lxc.signal.halt: SIGPWR\nlxc.signal.stop: term\n");
    EXPECT_EQ(plan.init.halt_signal, "SIGPWR");
    EXPECT_EQ(plan.init.stop_signal, "SIGTERM");
    EXPECT_EQ(plan.init.reboot_signal, "SIGINT");
}

// ---- raw lxc.* overrides -----------------------------------------------------

TEST(StartPlan, RawAppArmorProfileOverrides) {
    StartPlan plan = plan_for(base_config + "features: fuse=1,nesting=1\nlxc.apparmor.profile: unconfined\n");
    EXPECT_EQ(plan.apparmor_profile_name, "");
    EXPECT_EQ(plan.apparmor_profile, "");
    EXPECT_FALSE(plan.apparmor_active);
    EXPECT_TRUE(has_warning(plan, "explicitly configured lxc.apparmor.profile overrides the following settings: "
                                  "features:fuse, features:nesting"));
    StartPlan named = plan_for(base_config + "lxc.apparmor.profile: my-profile\n");
    EXPECT_EQ(named.apparmor_profile_name, "my-profile");
    EXPECT_EQ(named.apparmor_profile, "");
    EXPECT_FALSE(has_warning(named, "overrides"));
}

TEST(StartPlan, AppArmorIsAppliedOnlyWhereTheHostHasIt) {
    StartHostFacts facts = fake_host_facts();
    EXPECT_FALSE(plan_for(base_config, facts).apparmor_active);
    EXPECT_TRUE(has_warning(plan_for(base_config, facts), "AppArmor is not enabled on this host"));
    facts.apparmor = {.enabled = true, .stacking = true, .userns_rules = true, .mqueue_rules = true};
    StartPlan plan = plan_for(base_config + "features: nesting=1\n", facts);
    EXPECT_TRUE(plan.apparmor_active);
    EXPECT_EQ(plan.apparmor_namespace, "pct-100");
    EXPECT_NE(plan.apparmor_profile.find("  mqueue,\n"), std::string::npos);
    EXPECT_NE(plan.apparmor_profile.find("  userns,\n"), std::string::npos);
    EXPECT_FALSE(has_warning(plan, "AppArmor"));
}

TEST(StartPlan, RawSeccompProfileOverrides) {
    StartPlan plan = plan_for(unprivileged_config + "features: keyctl=1,mknod=1\nlxc.seccomp.profile: /etc/my.seccomp\n");
    EXPECT_TRUE(plan.seccomp.rules.empty());
    EXPECT_EQ(plan.seccomp.raw_profile_file, "/etc/my.seccomp");
    EXPECT_TRUE(has_warning(plan, "explicitly configured lxc.seccomp.profile overrides the following settings: keyctl, mknod"));
}

TEST(StartPlan, RawKeysOverrideGeneratedSettings) {
    StartPlan plan = plan_for(base_config +
                              "lxc.uts.name: raw-name\n"
                              "lxc.init.cmd: /bin/sh -c 'sleep 1'\n"
                              "lxc.init.cwd: /root\n"
                              "lxc.init.uid: 1000\n"
                              "lxc.tty.max: 4\n"
                              "lxc.console.path: none\n"
                              "lxc.environment: FOO=bar\n"
                              "lxc.sysctl.kernel.shmmax: 4096\n"
                              "lxc.prlimit.nofile: 1024:4096\n"
                              "lxc.mount.entry: /dev/dri dev/dri none bind,optional,create=dir 0 0\n"
                              "lxc.hook.pre-start: /usr/local/bin/hook\n");
    EXPECT_EQ(plan.hostname, "raw-name");
    EXPECT_EQ(plan.init.argv, (std::vector<std::string>{"/bin/sh", "-c", "sleep 1"}));
    EXPECT_EQ(plan.init.cwd, "/root");
    EXPECT_EQ(plan.init.uid, 1000u);
    EXPECT_EQ(plan.console.ttys, 4u);
    EXPECT_FALSE(plan.console.console);
    EXPECT_EQ(plan.init.env.back(), "FOO=bar");
    EXPECT_EQ(plan.sysctls, (std::vector<std::pair<std::string, std::string>>{{"kernel.shmmax", "4096"}}));
    EXPECT_EQ(plan.prlimits, (std::vector<std::pair<std::string, std::string>>{{"nofile", "1024:4096"}}));
    const SpecialMountPlan* dri = find_mount(plan, "bind", "/dev/dri");
    ASSERT_NE(dri, nullptr);
    EXPECT_TRUE(dri->host_source && dri->optional);
    EXPECT_EQ(dri->create, "dir");
    EXPECT_TRUE(has_warning(plan, "lxc.hook.pre-start is not supported by pct's runtime"));
}

TEST(StartPlan, RawMountAutoReplacesModes) {
    StartPlan plan = plan_for(base_config + "lxc.mount.auto: proc:rw sys:rw cgroup:ro\n");
    EXPECT_EQ(find_mount(plan, "bind", "/proc/sys"), nullptr);
    EXPECT_TRUE(find_mount(plan, "sysfs", "/sys")->flags.empty());
    EXPECT_EQ(find_mount(plan, "cgroup2", "/sys/fs/cgroup")->flags[0], "ro");
    StartPlan none = plan_for(base_config + "lxc.mount.auto:\n");
    EXPECT_EQ(find_mount(none, "proc", "/proc"), nullptr);
    EXPECT_EQ(find_mount(none, "cgroup2", "/sys/fs/cgroup"), nullptr);
}

TEST(StartPlan, RawCgroupDeviceRulesAndLimits) {
    // lxc.cgroup.* lines only load leniently (deprecated), so they are added by hand.
    ContainerConfig config = config_from(base_config + "lxc.cgroup2.devices.allow: c 226:* rwm\nlxc.cgroup2.memory.high: 100M\n");
    config.main.lxc.emplace_back("lxc.cgroup.devices.allow", "c 10:200 rwm");
    StartPlan plan = build_start_plan(config, 100, fake_host_facts(), fake_resolve);
    const DeviceRule& last = plan.cgroup.device_rules.back();
    EXPECT_TRUE(last.allow);
    EXPECT_EQ(last.major, 226);
    EXPECT_EQ(last.minor, -1);
    EXPECT_EQ(plan.cgroup.raw, (std::vector<std::pair<std::string, std::string>>{{"memory.high", "100M"}}));
    EXPECT_TRUE(has_warning(plan, "lxc.cgroup.devices.allow is a cgroup v1 setting"));
    EXPECT_NE(plan_error(base_config + "lxc.cgroup2.devices.allow: bogus\n").find("invalid device rule 'bogus'"), std::string::npos);
}

TEST(StartPlan, RawCapabilityKeep) {
    StartPlan plan = plan_for(base_config + "lxc.cap.keep: sys_admin net_admin\n");
    EXPECT_TRUE(plan.capabilities_dropped.empty());
    EXPECT_EQ(plan.capabilities_kept, (std::vector<std::string>{"CAP_SYS_ADMIN", "CAP_NET_ADMIN"}));
    EXPECT_NE(plan_error(base_config + "lxc.cap.drop: not_a_cap\n").find("unknown capability 'CAP_NOT_A_CAP'"), std::string::npos);
}

// ---- passthrough devices -----------------------------------------------------

TEST(StartPlan, PassthroughDevices) {
    StartPlan plan = plan_for(unprivileged_config + "dev0: /dev/ttyUSB0,mode=0600,uid=1000,gid=20\ndev1: /dev/sdb,deny-write=1\n");
    ASSERT_EQ(plan.devices.size(), 8u);
    const DeviceNodePlan& tty = plan.devices[6];
    EXPECT_EQ(tty.path, "/dev/ttyUSB0");
    EXPECT_TRUE(tty.passthrough);
    EXPECT_EQ(tty.type, 'c');
    EXPECT_EQ(tty.major, 188u);
    EXPECT_EQ(tty.mode, 0600u);
    EXPECT_EQ(tty.uid, 1000u);
    EXPECT_EQ(tty.host_uid, 101000u);
    EXPECT_EQ(tty.host_gid, 100020u);
    const DeviceNodePlan& disk = plan.devices[7];
    EXPECT_EQ(disk.mode, 0660u);
    EXPECT_TRUE(disk.deny_write);

    std::vector<std::string> rules;
    for (const auto& rule : plan.cgroup.device_rules) rules.push_back(to_string(rule));
    EXPECT_EQ(rules, (std::vector<std::string>{"allow a", "allow c 188:0 rw", "allow b 8:16 rw", "deny b 8:16 w"}));
}

TEST(StartPlan, PassthroughDeviceErrors) {
    EXPECT_EQ(plan_error(base_config + "dev0: /dev/missing\n"), "dev0: Device /dev/missing does not exist");
    EXPECT_EQ(plan_error(base_config + "dev0: /dev/plainfile\n"), "dev0: /dev/plainfile is not a device");
}

// ---- network -----------------------------------------------------------------

TEST(StartPlan, NetworkInterfaces) {
    StartPlan plan = plan_for(base_config +
                              "net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp,tag=5,rate=12.5,firewall=1\n"
                              "net2: name=eth2,bridge=vmbr1,mtu=8000,trunks=10;20,link_down=1\n"
                              "net10: name=eth10,bridge=vmbr0,host-managed=1,ip=192.0.2.5/24,gw=192.0.2.1,ip6=dhcp\n");
    ASSERT_EQ(plan.network.size(), 3u);
    EXPECT_EQ(plan.network[0].key, "net0");
    EXPECT_EQ(plan.network[1].key, "net10");  // lexical key order, as Proxmox
    EXPECT_EQ(plan.network[2].key, "net2");
    const NetworkInterfacePlan& net0 = plan.network[0];
    EXPECT_EQ(net0.host_name, "veth100i0");
    EXPECT_EQ(net0.guest_name, "eth0");
    EXPECT_EQ(net0.mtu, 1500u);
    EXPECT_EQ(net0.tag, 5u);
    EXPECT_EQ(net0.rate_mbps, 12.5);
    EXPECT_TRUE(net0.firewall);
    EXPECT_FALSE(net0.firewall_bridge);  // nftables firewall: no fwbr
    EXPECT_EQ(net0.ipv4, "");            // the guest configures its own addresses
    const NetworkInterfacePlan& net10 = plan.network[1];
    EXPECT_EQ(net10.host_name, "veth100i10");
    EXPECT_EQ(net10.ipv4, "192.0.2.5/24");
    EXPECT_EQ(net10.gateway4, "192.0.2.1");
    EXPECT_TRUE(net10.host_dhcp6);
    const NetworkInterfacePlan& net2 = plan.network[2];
    EXPECT_EQ(net2.mtu, 8000u);
    EXPECT_EQ(net2.trunks, (std::vector<unsigned>{10, 20}));
    EXPECT_TRUE(net2.link_down);
}

TEST(StartPlan, NetworkErrors) {
    EXPECT_EQ(plan_error(base_config + "net0: name=eth0,bridge=vmbr9\n"), "bridge 'vmbr9' does not exist");
    EXPECT_EQ(plan_error(base_config + "net0: name=eth0,bridge=vmbr0,mtu=9000\n"),
              "net0: MTU size '9000' is bigger than bridge MTU '1500'");
    EXPECT_EQ(plan_error(base_config + "net0: name=eth0,bridge=vmbr0,trunks=10\n"),
              "vlan aware feature need to be enabled to use trunks");
    EXPECT_EQ(plan_error(base_config + "net0: name=eth0,bridge=vmbr0,host-managed=1,ip6=auto\n"),
              "net0: SLAAC is not supported for host-managed network configuration");
}

TEST(StartPlan, FirewallBridgeWithTheIptablesFirewall) {
    StartHostFacts facts = fake_host_facts();
    facts.iptables_firewall = true;
    EXPECT_TRUE(plan_for(base_config + "net0: name=eth0,bridge=vmbr0,firewall=1\n", facts).network[0].firewall_bridge);
}

TEST(StartPlan, AllProblemsAreReportedTogether) {
    std::string error = plan_error(unprivileged_config + "mp0: local:100/vm-100-disk-1.raw,mp=/q,quota=1\n"
                                                         "net0: name=eth0,bridge=vmbr9\ndev0: /dev/missing\n");
    EXPECT_NE(error.find("Quotas are not supported by unprivileged containers."), std::string::npos);
    EXPECT_NE(error.find("bridge 'vmbr9' does not exist"), std::string::npos);
    EXPECT_NE(error.find("Device /dev/missing does not exist"), std::string::npos);
}

TEST(StartPlan, HookscriptAndCgroupVersion) {
    StartPlan plan = plan_for(base_config + "hookscript: local:snippets/hook.sh\n");
    EXPECT_EQ(plan.hookscript, "local:snippets/hook.sh");
    EXPECT_EQ(plan.cgroup.version, 2u);
}

}  // namespace
}  // namespace pct
