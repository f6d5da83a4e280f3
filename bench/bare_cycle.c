/* The floor for bench/start_cycle.sh: one process that clones a child into
 * new mount, PID, UTS, IPC and network namespaces; the child makes its mounts
 * private, binds the rootfs onto itself, pivot_roots into it, detaches the
 * old root and execs /bin/true; the parent waits for it. No /proc, /dev,
 * cgroups, capabilities, seccomp or cleanup: just the kernel work that every
 * container start shares. usage: bare_cycle ROOTFS */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char stack[64 * 1024];
static const char* rootfs;

static int child(void* unused) {
    (void)unused;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 || mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) != 0 ||
        chdir(rootfs) != 0 || syscall(SYS_pivot_root, ".", ".") != 0 || umount2(".", MNT_DETACH) != 0 || chdir("/") != 0) {
        perror("bare_cycle: setting up the root");
        return 1;
    }
    char* argv[] = {"/bin/true", NULL};
    execv(argv[0], argv);
    perror("bare_cycle: exec /bin/true");
    return 1;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: bare_cycle ROOTFS\n");
        return 2;
    }
    rootfs = argv[1];
    int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | SIGCHLD;
    pid_t pid = clone(child, stack + sizeof stack, flags, NULL);
    if (pid < 0) {
        perror("bare_cycle: clone");
        return 1;
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
