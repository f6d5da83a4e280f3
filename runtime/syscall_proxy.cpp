// libc only (see syscall_proxy.h): no exceptions, no allocation.
#include "runtime/syscall_proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/mknod_policy.h"
#include "runtime/unique_fd.h"

namespace pct {

namespace {

constexpr int kMaxGroups = 64;

struct Call {
    int dirfd;          // AT_FDCWD or the caller's descriptor
    unsigned long path; // address in the caller
    unsigned mode;
    unsigned dev;
};

// mknod(path, mode, dev) / mknodat(dirfd, path, mode, dev), native and (on
// x86_64) i386 numbers. False for anything else.
bool decode(const struct seccomp_data& data, Call& call) {
    int nr_mknod = -1, nr_mknodat = -1;
#if defined(__x86_64__)
    if (data.arch == AUDIT_ARCH_X86_64) nr_mknod = __NR_mknod, nr_mknodat = __NR_mknodat;
    else if (data.arch == AUDIT_ARCH_I386) nr_mknod = 14, nr_mknodat = 297;
#else
#ifdef __NR_mknod
    nr_mknod = __NR_mknod;
#endif
    nr_mknodat = __NR_mknodat;
#endif
    if (data.nr == nr_mknod) {
        call = {AT_FDCWD, static_cast<unsigned long>(data.args[0]), static_cast<unsigned>(data.args[1]),
                static_cast<unsigned>(data.args[2])};
        return true;
    }
    if (data.nr == nr_mknodat) {
        call = {static_cast<int>(data.args[0]), static_cast<unsigned long>(data.args[1]),
                static_cast<unsigned>(data.args[2]), static_cast<unsigned>(data.args[3])};
        return true;
    }
    return false;
}

struct Credentials {
    unsigned fsuid = 0, fsgid = 0, umask = 022;
    gid_t groups[kMaxGroups];
    int group_count = 0;
};

// Uid:/Gid: (4th field = fs id), Umask: and Groups: of /proc/<pid>/status.
bool read_credentials(pid_t pid, Credentials& creds) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
    static char text[8192];
    ssize_t n = fd.get() < 0 ? -1 : read(fd.get(), text, sizeof text - 1);
    if (n <= 0) return false;
    text[n] = '\0';
    bool uid = false, gid = false;
    for (char* line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : nullptr) {
        unsigned a, b, c, d;
        if (sscanf(line, "Uid:\t%u\t%u\t%u\t%u", &a, &b, &c, &d) == 4) creds.fsuid = d, uid = true;
        else if (sscanf(line, "Gid:\t%u\t%u\t%u\t%u", &a, &b, &c, &d) == 4) creds.fsgid = d, gid = true;
        else if (sscanf(line, "Umask:\t%o", &a) == 1) creds.umask = a & 0777;
        else if (strncmp(line, "Groups:", 7) == 0) {
            char* cursor = line + 7;
            while (creds.group_count < kMaxGroups) {
                char* end = nullptr;
                unsigned long value = strtoul(cursor, &end, 10);
                if (end == cursor) break;
                creds.groups[creds.group_count++] = static_cast<gid_t>(value);
                cursor = end;
            }
        }
    }
    return uid && gid;
}

// The NUL-terminated path at `address` in the caller's memory.
bool read_path(pid_t pid, unsigned long address, char* path, size_t size) {
    char file[64];
    snprintf(file, sizeof file, "/proc/%d/mem", pid);
    UniqueFd mem(open(file, O_RDONLY | O_CLOEXEC));
    if (mem.get() < 0) return false;
    ssize_t n = pread(mem.get(), path, size - 1, static_cast<off_t>(address));
    if (n <= 0) return false;
    path[n] = '\0';
    return strnlen(path, static_cast<size_t>(n)) < static_cast<size_t>(n) && path[0] != '\0';
}

// Creates the node as the caller would, in a child so that the monitor's
// own namespace, root and credentials never change. Returns 0 or an errno.
int make_node(int mount_ns, int root, int dir, const char* path, const Call& call, const Credentials& creds) {
    pid_t child = fork();
    if (child < 0) return errno;
    if (child == 0) {
        if (setns(mount_ns, CLONE_NEWNS) != 0 || fchdir(root) != 0 || chroot(".") != 0) _exit(errno);
        if (setgroups(static_cast<size_t>(creds.group_count), creds.groups) != 0) _exit(errno);
        umask(creds.umask);
        setfsgid(creds.fsgid);
        setfsuid(creds.fsuid);
        // CAP_MKNOD and nothing else: every permission check on the path
        // is made against the caller's fs ids.
        struct __user_cap_header_struct header {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct data[2] {};
        data[0].effective = data[0].permitted = 1u << CAP_MKNOD;
        if (syscall(SYS_capset, &header, data) != 0) _exit(errno);
        if (mknodat(dir, path, call.mode, makedev(major(call.dev), minor(call.dev))) != 0) _exit(errno);
        _exit(0);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR) return EPERM;
    return WIFEXITED(status) ? WEXITSTATUS(status) : EPERM;
}

int handle(int listener, const struct seccomp_notif& request) {
    Call call {};
    if (!decode(request.data, call)) return EPERM;
    if (!mknod_allowed(call.mode, major(call.dev), minor(call.dev))) return EPERM;

    const pid_t pid = static_cast<pid_t>(request.pid);
    static char path[4096];
    if (!read_path(pid, call.path, path, sizeof path)) return EFAULT;
    Credentials creds;
    if (!read_credentials(pid, creds)) return EPERM;
    char file[64];
    snprintf(file, sizeof file, "/proc/%d/ns/mnt", pid);
    UniqueFd mount_ns(open(file, O_RDONLY | O_CLOEXEC));
    snprintf(file, sizeof file, "/proc/%d/root", pid);
    UniqueFd root(open(file, O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (call.dirfd == AT_FDCWD) snprintf(file, sizeof file, "/proc/%d/cwd", pid);
    else snprintf(file, sizeof file, "/proc/%d/fd/%d", pid, call.dirfd);
    UniqueFd dir(open(file, O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (mount_ns.get() < 0 || root.get() < 0) return EPERM;
    if (dir.get() < 0) return call.dirfd == AT_FDCWD ? ENOENT : EBADF;
    // Everything above was read from /proc/<pid>: only act if that pid is
    // still the process that made the call.
    __u64 id = request.id;
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) != 0) return -1;
    return make_node(mount_ns.get(), root.get(), dir.get(), path, call, creds);
}

}  // namespace

bool answer_syscall_notification(int listener) {
    alignas(8) static unsigned char request_buffer[1024];
    alignas(8) static unsigned char response_buffer[1024];
    static struct seccomp_notif_sizes sizes {};
    if (sizes.seccomp_notif == 0 && syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) return false;
    if (sizes.seccomp_notif > sizeof request_buffer || sizes.seccomp_notif_resp > sizeof response_buffer) return false;

    memset(request_buffer, 0, sizeof request_buffer);
    auto* request = reinterpret_cast<struct seccomp_notif*>(request_buffer);
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, request) != 0) {
        // ENOENT: the caller died before we read it. Anything else: done.
        return errno == ENOENT || errno == EINTR;
    }
    const int error = handle(listener, *request);
    if (error < 0) return true;  // the caller is gone: nobody to answer
    memset(response_buffer, 0, sizeof response_buffer);
    auto* response = reinterpret_cast<struct seccomp_notif_resp*>(response_buffer);
    response->id = request->id;
    response->error = -error;
    response->val = 0;
    (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, response);
    return true;
}

}  // namespace pct
