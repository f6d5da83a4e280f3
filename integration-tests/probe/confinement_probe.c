/* Run inside a container: prints one "name=result" line per check, where
 * result is "ok" (the call failed the way confinement demands) or what
 * happened instead. Built static by the tests (no libc in the guest). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void expect_errno(const char* name, long rc, int want) {
    if (rc == -1 && errno == want) printf("%s=ok\n", name);
    else printf("%s=rc %ld errno %d (%s), wanted %d\n", name, rc, rc == -1 ? errno : 0, rc == -1 ? strerror(errno) : "-", want);
}

static void expect_write_fails(const char* name, const char* path, const char* text) {
    int fd = open(path, O_WRONLY);
    if (fd < 0) { printf("%s=ok\n", name); return; }
    ssize_t n = write(fd, text, strlen(text));
    if (n < 0) printf("%s=ok\n", name);
    else printf("%s=writable\n", name);
    close(fd);
}

int main(int argc, char** argv) {
    const char* what = argc > 1 ? argv[1] : "all";
    if (!strcmp(what, "all") || !strcmp(what, "syscalls")) {
        expect_errno("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0), EPERM);
        expect_errno("init_module", syscall(SYS_init_module, NULL, 0, ""), EPERM);
        expect_errno("finit_module", syscall(SYS_finit_module, -1, "", 0), EPERM);
        expect_errno("delete_module", syscall(SYS_delete_module, "nonexistent", 0), EPERM);
        expect_errno("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, 0), EPERM);
        long rc = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
        printf("keyctl=%s\n", rc == -1 ? (errno == ENOSYS ? "ENOSYS" : strerror(errno)) : "works");
    }
    if (!strcmp(what, "all") || !strcmp(what, "caps")) {
        FILE* status = fopen("/proc/self/status", "r");
        char line[256];
        while (status && fgets(line, sizeof line, status))
            if (!strncmp(line, "CapBnd:", 7)) printf("CapBnd=%s", line + 8);
        if (status) fclose(status);
    }
    if (!strcmp(what, "all") || !strcmp(what, "proc")) {
        expect_write_fails("proc_sys_kernel", "/proc/sys/kernel/hostname", "x\n");
        expect_write_fails("sysrq_trigger", "/proc/sysrq-trigger", "h");
        int fd = open("/sys/kernel/profiling", O_WRONLY);
        printf("sys_writable=%s\n", fd >= 0 ? "yes" : (errno == EROFS || errno == EACCES ? "no" : strerror(errno)));
        if (fd >= 0) close(fd);
    }
    if (argc > 3 && !strcmp(what, "mknod")) {
        /* mknod <major> <minor>: a host disk's block device */
        dev_t dev = makedev(atoi(argv[2]), atoi(argv[3]));
        int rc = mknod("/tmp/probe-disk", S_IFBLK | 0600, dev);
        printf("mknod=%s\n", rc == 0 ? "created" : strerror(errno));
        int fd = open("/tmp/probe-disk", O_RDONLY);
        printf("open_disk=%s\n", fd >= 0 ? "opened" : strerror(errno));
        unlink("/tmp/probe-disk");
    }
    if (argc > 2 && !strcmp(what, "alloc")) {
        size_t mb = (size_t)atol(argv[2]);
        for (size_t i = 0; i < mb; ++i) {
            char* block = malloc(1 << 20);
            if (!block) { printf("alloc=failed at %zu MB\n", i); return 1; }
            memset(block, 1, 1 << 20);
        }
        printf("alloc=done %zu MB\n", mb);
    }
    return 0;
}
