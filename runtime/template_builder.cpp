#include "runtime/template_builder.h"

#include <elf.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "core/error.h"
#include "runtime/libarchive.h"
#include "runtime/volume_mounts.h"

namespace pct {

namespace {

constexpr const char* kDebianSuite = "bookworm";
constexpr const char* kDebianTemplateVersion = "12.0-1";
constexpr const char* kBusyboxTemplateRelease = "1";
constexpr size_t kCopyBlockSize = 1 << 20;

std::string errno_text() { return std::strerror(errno); }

std::string read_text_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

// ---- interruption -----------------------------------------------------------

// Ctrl-C during a build must still clean up: the signal is only noted, the
// running child (which got it from the terminal too, or is sent it) ends,
// and the build unwinds through its normal error path.
std::atomic<int> g_interrupted{0};

void note_signal(int signal) { g_interrupted = signal; }

class InterruptGuard {
public:
    InterruptGuard() {
        g_interrupted = 0;
        struct sigaction action {};
        action.sa_handler = note_signal;
        sigemptyset(&action.sa_mask);
        for (size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &action, &saved_[i]);
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;
    ~InterruptGuard() {
        for (size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &saved_[i], nullptr);
    }
    static void check() {
        if (int signal = g_interrupted.load())
            throw UserError(std::string("interrupted by signal ") + strsignal(signal));
    }

private:
    static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
    std::array<struct sigaction, 3> saved_{};
};

// ---- child processes ----------------------------------------------------------

struct ChildResult {
    int status = 0;
    std::string output;
};

// Runs argv (no shell) and collects its stdout, or streams stdout and
// stderr to `log` when given. Signals that interrupted us are passed on.
ChildResult run_program(const std::vector<std::string>& argv, std::ostream* log) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw UserError("unable to run " + argv[0] + ": " + errno_text());
    pid_t child = ::fork();
    if (child < 0) {
        ::close(pipe_fds[0]);
        ::close(pipe_fds[1]);
        throw UserError("unable to run " + argv[0] + ": " + errno_text());
    }
    if (child == 0) {
        ::dup2(pipe_fds[1], STDOUT_FILENO);
        if (log) ::dup2(pipe_fds[1], STDERR_FILENO);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
        std::vector<char*> args;
        for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    ChildResult result;
    char buffer[65536];
    while (true) {
        ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            if (int signal = g_interrupted.load()) ::kill(child, signal);
            continue;
        }
        if (n <= 0) break;
        if (log) log->write(buffer, n).flush();
        else result.output.append(buffer, static_cast<size_t>(n));
    }
    ::close(pipe_fds[0]);
    while (::waitpid(child, &result.status, 0) < 0 && errno == EINTR) {
        if (int signal = g_interrupted.load()) ::kill(child, signal);
    }
    return result;
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) {
        if (WEXITSTATUS(status) == 127) return "could not be run (is it installed?)";
        return "exited with status " + std::to_string(WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
    return "failed";
}

// ---- the archive being written --------------------------------------------------

// A temp file next to the final name: renamed into place when complete,
// removed when anything fails, so that the cache never holds half a template.
class PendingFile {
public:
    PendingFile(const std::string& directory, const std::string& file_name)
        : final_path_(directory + "/" + file_name) {
        std::error_code error;
        std::filesystem::create_directories(directory, error);
        std::string pattern = directory + "/." + file_name + ".tmp.XXXXXX";
        std::vector<char> buffer(pattern.begin(), pattern.end());
        buffer.push_back('\0');
        fd_ = ::mkostemp(buffer.data(), O_CLOEXEC);
        if (fd_ < 0) throw UserError("unable to create a file in '" + directory + "': " + errno_text());
        temp_path_ = buffer.data();
        ::fchmod(fd_, 0644);
    }
    PendingFile(const PendingFile&) = delete;
    PendingFile& operator=(const PendingFile&) = delete;
    ~PendingFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!committed_) ::unlink(temp_path_.c_str());
    }
    int fd() const { return fd_; }
    const std::string& final_path() const { return final_path_; }

    void commit() {
        if (::fsync(fd_) != 0) throw UserError("unable to write '" + final_path_ + "': " + errno_text());
        ::close(fd_);
        fd_ = -1;
        if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0)
            throw UserError("unable to store '" + final_path_ + "': " + errno_text());
        committed_ = true;
    }

private:
    std::string final_path_;
    std::string temp_path_;
    int fd_ = -1;
    bool committed_ = false;
};

struct WriteArchiveDeleter {
    void operator()(archive* a) const { archive_write_free(a); }
};
using WriteArchive = std::unique_ptr<archive, WriteArchiveDeleter>;
struct EntryDeleter {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using Entry = std::unique_ptr<archive_entry, EntryDeleter>;

// pax (numeric owners, no names needed), zstd using every core.
WriteArchive open_tar_zst(int fd) {
    WriteArchive writer(archive_write_new());
    archive_write_set_format_pax_restricted(writer.get());
    archive_write_add_filter_zstd(writer.get());
    archive_write_set_filter_option(writer.get(), "zstd", "threads", "0");
    // Whole blocks of the default size are written without padding the last one.
    archive_write_set_bytes_in_last_block(writer.get(), 1);
    if (archive_write_open_fd(writer.get(), fd) != ARCHIVE_OK)
        throw UserError(std::string("unable to write the template archive: ") + archive_error_string(writer.get()));
    return writer;
}

void check_write(archive* writer, int status, const std::string& what) {
    if (status < ARCHIVE_WARN)
        throw UserError("unable to write the template archive (" + what + "): " + archive_error_string(writer));
}

void write_data(archive* writer, const void* data, size_t size, const std::string& what) {
    if (archive_write_data(writer, data, size) < 0)
        throw UserError("unable to write the template archive (" + what + "): " + archive_error_string(writer));
}

void close_archive(archive* writer) {
    check_write(writer, archive_write_close(writer), "closing");
}

// ---- busybox ------------------------------------------------------------------

// Whether the binary asks for a dynamic loader (PT_INTERP): a dynamic busybox
// would not run in a rootfs without its libraries.
bool is_dynamically_linked(const std::string& elf) {
    if (elf.size() < sizeof(Elf64_Ehdr) || elf.compare(0, 4, ELFMAG) != 0 || elf[EI_CLASS] != ELFCLASS64) return true;
    Elf64_Ehdr header;
    std::memcpy(&header, elf.data(), sizeof header);
    for (size_t i = 0; i < header.e_phnum; ++i) {
        size_t offset = header.e_phoff + i * header.e_phentsize;
        if (offset + sizeof(Elf64_Phdr) > elf.size()) return true;
        Elf64_Phdr program;
        std::memcpy(&program, elf.data() + offset, sizeof program);
        if (program.p_type == PT_INTERP) return true;
    }
    return false;
}

// Debian architecture name of the binary we pack.
std::string debian_arch_of(const std::string& elf) {
    Elf64_Ehdr header;
    std::memcpy(&header, elf.data(), sizeof header);
    switch (header.e_machine) {
        case EM_X86_64: return "amd64";
        case EM_AARCH64: return "arm64";
        case EM_RISCV: return "riscv64";
        case EM_PPC64: return "ppc64el";
        case EM_S390: return "s390x";
        default:
            throw UserError("unsupported busybox architecture (ELF machine " + std::to_string(header.e_machine) + ")");
    }
}

bool is_safe_relative_path(const std::string& path) {
    if (path.empty() || path.front() == '/') return false;
    std::stringstream parts(path);
    std::string part;
    while (std::getline(parts, part, '/'))
        if (part.empty() || part == "." || part == "..") return false;
    return true;
}

struct TreeEntry {
    mode_t type = AE_IFREG;
    mode_t mode = 0644;
    std::string content;  // file data or symlink target
};

// busybox init handles SIGUSR1 (halt), SIGUSR2 (poweroff) and SIGTERM
// (reboot); what runs at boot and shutdown is this file. /proc, /sys and
// /dev are mounted by pct's runtime, not here.
constexpr const char* kInittab =
    "# busybox init: SIGUSR1 halts, SIGUSR2 powers off, SIGTERM reboots.\n"
    "::sysinit:/etc/init.d/rcS\n"
    "::respawn:-/bin/sh\n"
    "::ctrlaltdel:/sbin/reboot\n"
    "::shutdown:/bin/sync\n";

constexpr const char* kRcS =
    "#!/bin/sh\n"
    "# Boot script run once by init (inittab ::sysinit). The hostname is\n"
    "# already set: pct gives the container its configured name.\n"
    "ip link set lo up 2>/dev/null\n"
    "if [ -f /etc/network/interfaces ]; then\n"
    "    mkdir -p /run/network\n"
    "    ifup -a\n"
    "fi\n";

std::map<std::string, TreeEntry> busybox_tree(const std::string& binary, const std::vector<std::string>& applets) {
    std::map<std::string, TreeEntry> tree;
    auto dir = [&](const std::string& path, mode_t mode = 0755) { tree[path] = {AE_IFDIR, mode, {}}; };
    auto file = [&](const std::string& path, std::string content, mode_t mode = 0644) {
        tree[path] = {AE_IFREG, mode, std::move(content)};
    };
    auto link = [&](const std::string& path, std::string target) { tree[path] = {AE_IFLNK, 0777, std::move(target)}; };

    for (const char* path : {"bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "etc/init.d", "etc/network",
                             "etc/network/if-up.d", "etc/network/if-down.d", "etc/network/if-pre-up.d",
                             "etc/network/if-post-down.d", "home", "dev", "proc", "sys", "run", "var", "var/log"})
        dir(path);
    dir("root", 0700);
    dir("tmp", 01777);
    link("var/run", "../run");
    for (const auto& applet : applets) {
        // Parent directories of applets outside the usual four come along.
        for (size_t slash = applet.find('/'); slash != std::string::npos; slash = applet.find('/', slash + 1))
            if (!tree.count(applet.substr(0, slash))) dir(applet.substr(0, slash));
        link(applet, "/bin/busybox");
    }
    file("bin/busybox", binary, 0755);
    link("sbin/init", "/bin/busybox");
    file("etc/inittab", kInittab);
    file("etc/init.d/rcS", kRcS, 0755);
    file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    file("etc/group", "root:x:0:\n");
    file("etc/shadow", "root:*:19000:0:99999:7:::\n", 0600);
    file("etc/hostname", "busybox\n");
    file("etc/hosts", "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n");
    file("etc/network/interfaces", "");
    return tree;
}

std::vector<std::string> busybox_applets(const std::string& busybox) {
    ChildResult listed = run_program({busybox, "--list-full"}, nullptr);
    if (listed.status != 0) throw UserError("'" + busybox + " --list-full' " + describe_status(listed.status));
    std::vector<std::string> applets;
    std::stringstream lines(listed.output);
    std::string line;
    while (std::getline(lines, line)) {
        if (line == "bin/busybox" || !is_safe_relative_path(line)) continue;
        applets.push_back(line);
    }
    for (auto [path, applet] : {std::pair{"sbin/init", "init"}, std::pair{"bin/sh", "sh"}}) {
        if (std::find(applets.begin(), applets.end(), path) == applets.end())
            throw UserError("'" + busybox + "' lacks the " + applet + " applet");
    }
    return applets;
}

void write_tree(archive* writer, const std::map<std::string, TreeEntry>& tree, time_t mtime) {
    auto write = [&](const std::string& path, const TreeEntry& spec) {
        Entry entry(archive_entry_new());
        archive_entry_set_pathname(entry.get(), path.c_str());
        archive_entry_set_filetype(entry.get(), spec.type);
        archive_entry_set_perm(entry.get(), spec.mode);
        archive_entry_set_uid(entry.get(), 0);
        archive_entry_set_gid(entry.get(), 0);
        archive_entry_set_mtime(entry.get(), mtime, 0);
        if (spec.type == AE_IFLNK) archive_entry_set_symlink(entry.get(), spec.content.c_str());
        if (spec.type == AE_IFREG) archive_entry_set_size(entry.get(), static_cast<la_int64_t>(spec.content.size()));
        check_write(writer, archive_write_header(writer, entry.get()), path);
        if (spec.type == AE_IFREG && !spec.content.empty())
            write_data(writer, spec.content.data(), spec.content.size(), path);
    };
    write(".", {AE_IFDIR, 0755, {}});
    // Map order puts every parent before its children.
    for (const auto& [path, spec] : tree) write("./" + path, spec);
}

// ---- packing a directory tree ------------------------------------------------------

struct ReadArchiveDeleter {
    void operator()(archive* a) const { archive_read_free(a); }
};
struct ResolverDeleter {
    void operator()(archive_entry_linkresolver* r) const { archive_entry_linkresolver_free(r); }
};

// Data of one file, with holes written as zeros that the pax writer turns
// back into holes (the entry carries the sparse map), as bsdtar does.
void copy_file_data(archive* disk, archive* writer, const std::string& name) {
    static const std::vector<char> zeros(kCopyBlockSize, 0);
    int64_t progress = 0;
    while (true) {
        const void* block = nullptr;
        size_t size = 0;
        la_int64_t offset = 0;
        int status = archive_read_data_block(disk, &block, &size, &offset);
        if (status == ARCHIVE_EOF) return;
        if (status < ARCHIVE_WARN)
            throw UserError("unable to read '" + name + "': " + archive_error_string(disk));
        while (offset > progress) {
            size_t gap = static_cast<size_t>(std::min<int64_t>(offset - progress, kCopyBlockSize));
            write_data(writer, zeros.data(), gap, name);
            progress += static_cast<int64_t>(gap);
        }
        if (size > 0) write_data(writer, block, size, name);
        progress += static_cast<int64_t>(size);
        InterruptGuard::check();
    }
}

bool is_dev_content(const std::string& relative) { return relative.starts_with("dev/"); }

void pack_into(archive* writer, const std::string& root) {
    std::unique_ptr<archive, ReadArchiveDeleter> disk(archive_read_disk_new());
    // Physical walk, no user/group lookups (numeric owners only), stay on
    // the root's file system.
    archive_read_disk_set_symlink_physical(disk.get());
    archive_read_disk_set_behavior(disk.get(), ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
    if (archive_read_disk_open(disk.get(), root.c_str()) != ARCHIVE_OK)
        throw UserError("unable to read '" + root + "': " + archive_error_string(disk.get()));
    std::unique_ptr<archive_entry_linkresolver, ResolverDeleter> resolver(archive_entry_linkresolver_new());
    archive_entry_linkresolver_set_strategy(resolver.get(), archive_format(writer));

    Entry owned(archive_entry_new());
    while (true) {
        InterruptGuard::check();
        archive_entry_clear(owned.get());
        int status = archive_read_next_header2(disk.get(), owned.get());
        if (status == ARCHIVE_EOF) break;
        if (status < ARCHIVE_WARN)
            throw UserError("unable to read '" + root + "': " + archive_error_string(disk.get()));
        std::string source = archive_entry_pathname(owned.get());
        std::string relative = source.size() > root.size() ? source.substr(root.size() + 1) : "";
        if (is_dev_content(relative)) continue;  // not descending either
        archive_read_disk_descend(disk.get());
        std::string name = relative.empty() ? "." : "./" + relative;
        archive_entry_copy_pathname(owned.get(), name.c_str());
        archive_entry_set_uname(owned.get(), nullptr);
        archive_entry_set_gname(owned.get(), nullptr);

        archive_entry* entry = owned.get();
        archive_entry* deferred = nullptr;
        archive_entry_linkify(resolver.get(), &entry, &deferred);
        if (entry) {
            // Hard links to an earlier entry name it relative to the root too.
            check_write(writer, archive_write_header(writer, entry), name);
            if (archive_entry_size(entry) > 0) copy_file_data(disk.get(), writer, name);
        }
        if (deferred) archive_entry_free(deferred);
    }
}

// ---- cleaning up a build directory ---------------------------------------------------

int remove_entry(const char* path, const struct stat*, int type, struct FTW*) {
    if (type == FTW_DP) ::rmdir(path);
    else ::unlink(path);
    return 0;
}

// debootstrap mounts /proc and /sys in the target while it works; after a
// failure they may still be there. Unmount first, then delete without ever
// crossing into another file system.
void remove_build_directory(const std::string& directory) {
    for (const auto& mount : mounts_below(directory)) ::umount2(mount.c_str(), MNT_DETACH);
    ::nftw(directory.c_str(), remove_entry, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

class BuildDirectory {
public:
    explicit BuildDirectory(const std::string& parent, const std::string& name) {
        std::error_code error;
        std::filesystem::create_directories(parent, error);
        std::string pattern = parent + "/." + name + ".build.XXXXXX";
        std::vector<char> buffer(pattern.begin(), pattern.end());
        buffer.push_back('\0');
        if (!::mkdtemp(buffer.data()))
            throw UserError("unable to create a build directory in '" + parent + "': " + errno_text());
        path_ = buffer.data();
    }
    BuildDirectory(const BuildDirectory&) = delete;
    BuildDirectory& operator=(const BuildDirectory&) = delete;
    ~BuildDirectory() { remove_build_directory(path_); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

std::string host_debian_arch() {
    struct utsname name {};
    ::uname(&name);
    std::string machine = name.machine;
    if (machine == "x86_64") return "amd64";
    if (machine == "aarch64") return "arm64";
    if (machine == "riscv64") return "riscv64";
    if (machine == "ppc64le") return "ppc64el";
    if (machine == "s390x") return "s390x";
    if (machine.size() == 4 && machine[0] == 'i' && machine.ends_with("86")) return "i386";
    throw UserError("unsupported host architecture '" + machine + "'");
}

// What debootstrap leaves that a template should not carry: downloaded
// packages, the host's resolv.conf and hostname (guest setup writes those)
// and a machine id every clone would share.
void tidy_debian_rootfs(const std::string& rootfs) {
    namespace fs = std::filesystem;
    std::error_code error;
    for (const char* dir : {"var/cache/apt/archives", "var/lib/apt/lists"}) {
        for (const auto& entry : fs::directory_iterator(rootfs + "/" + dir, error))
            if (entry.is_symlink(error) || entry.is_regular_file(error)) fs::remove(entry.path(), error);
    }
    fs::remove(rootfs + "/var/lib/dbus/machine-id", error);
    // Runtime state of the package scripts; the container gets fresh ones.
    for (const char* dir : {"run", "tmp"})
        for (const auto& entry : fs::directory_iterator(rootfs + "/" + dir, error)) fs::remove_all(entry.path(), error);
    // Replaced rather than written through: never follow a link out of the tree.
    auto replace = [&](const char* path, const std::string& content) {
        std::string full = rootfs + "/" + path;
        fs::remove(full, error);
        int fd = ::open(full.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) throw UserError("unable to write '" + full + "': " + errno_text());
        bool written = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
        ::close(fd);
        if (!written) throw UserError("unable to write '" + full + "'");
    };
    replace("etc/resolv.conf", "");
    replace("etc/hostname", "localhost\n");
    replace("etc/machine-id", "");
}

// ---- apt sources ---------------------------------------------------------------

std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> words;
    std::istringstream stream(text);
    std::string word;
    while (stream >> word) words.push_back(word);
    return words;
}

bool is_debian_mirror(const std::string& uri, const std::vector<std::string>& suites) {
    std::string path = uri;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    bool debian = path.ends_with("/debian") || path.find("/debian/") != std::string::npos;
    if (!debian || !(uri.starts_with("http://") || uri.starts_with("https://"))) return false;
    return std::any_of(suites.begin(), suites.end(),
                       [](const std::string& suite) { return !suite.empty() && suite.find('-') == std::string::npos; });
}

std::string trim_slashes(std::string uri) {
    while (uri.size() > 1 && uri.back() == '/') uri.pop_back();
    return uri;
}

}  // namespace

// ---- public -----------------------------------------------------------------------

std::string busybox_version_from_help(const std::string& help_text) {
    std::string first_line = help_text.substr(0, help_text.find('\n'));
    size_t start = first_line.find("BusyBox v");
    if (start != std::string::npos) {
        start += 9;
        size_t end = start;
        while (end < first_line.size() &&
               (std::isalnum(static_cast<unsigned char>(first_line[end])) || first_line[end] == '.'))
            ++end;
        if (end > start) return first_line.substr(start, end - start);
    }
    throw UserError("unable to find the busybox version in '" + first_line + "'");
}

BuiltTemplate build_busybox_template(const std::string& cache_dir, const std::string& busybox) {
    InterruptGuard guard;
    struct stat st {};
    if (::stat(busybox.c_str(), &st) != 0)
        throw UserError("busybox not found at '" + busybox + "' (install the busybox-static package)");
    std::string binary = read_text_file(busybox);
    if (is_dynamically_linked(binary))
        throw UserError("'" + busybox + "' is not a static binary (install the busybox-static package)");

    // `busybox --help` exits 0 on Debian but not everywhere; only its text counts.
    std::string version = busybox_version_from_help(run_program({busybox, "--help"}, nullptr).output);
    auto tree = busybox_tree(binary, busybox_applets(busybox));

    BuiltTemplate built;
    built.file_name = "busybox-" + version + "-" + kBusyboxTemplateRelease + "_" + debian_arch_of(binary) + ".tar.zst";
    PendingFile output(cache_dir, built.file_name);
    WriteArchive writer = open_tar_zst(output.fd());
    write_tree(writer.get(), tree, st.st_mtime);
    close_archive(writer.get());
    output.commit();
    built.path = output.final_path();
    return built;
}

BuiltTemplate build_debian_template(const std::string& cache_dir, const std::string& mirror, std::ostream& log) {
    InterruptGuard guard;
    BuiltTemplate built;
    std::string arch = host_debian_arch();
    built.file_name = std::string("debian-12-standard_") + kDebianTemplateVersion + "_" + arch + ".tar.zst";

    BuildDirectory build(cache_dir, built.file_name);
    std::string rootfs = build.path() + "/rootfs";
    ChildResult debootstrap = run_program({"debootstrap", "--variant=minbase", "--arch=" + arch,
                                           "--include=systemd-sysv,ifupdown,iproute2", kDebianSuite, rootfs, mirror},
                                          &log);
    InterruptGuard::check();
    if (debootstrap.status != 0) throw UserError("debootstrap " + describe_status(debootstrap.status));
    // A successful debootstrap has unmounted everything; make sure nothing
    // mounted gets packed.
    for (const auto& mount : mounts_below(build.path())) ::umount2(mount.c_str(), MNT_DETACH);
    tidy_debian_rootfs(rootfs);

    log << "packing " << built.file_name << "\n" << std::flush;
    PendingFile output(cache_dir, built.file_name);
    WriteArchive writer = open_tar_zst(output.fd());
    pack_into(writer.get(), rootfs);
    close_archive(writer.get());
    output.commit();
    built.path = output.final_path();
    return built;
}

std::string debian_mirror_from_apt_sources(const std::vector<std::string>& one_line_files,
                                           const std::vector<std::string>& deb822_files) {
    for (const auto& text : one_line_files) {
        std::istringstream lines(text);
        std::string line;
        while (std::getline(lines, line)) {
            line = line.substr(0, line.find('#'));
            auto words = split_words(line);
            if (words.size() < 3 || words[0] != "deb") continue;
            size_t uri = 1;
            if (words[uri].starts_with("[")) {  // options: "[arch=amd64 signed-by=...]"
                while (uri < words.size() && !words[uri].ends_with("]")) ++uri;
                ++uri;
            }
            if (uri + 1 >= words.size()) continue;
            if (is_debian_mirror(words[uri], {words[uri + 1]})) return trim_slashes(words[uri]);
        }
    }
    for (const auto& text : deb822_files) {
        // Stanzas are separated by blank lines; fields may repeat values on one line.
        std::istringstream lines(text + "\n\n");
        std::string line;
        std::map<std::string, std::vector<std::string>> stanza;
        while (std::getline(lines, line)) {
            if (line.starts_with("#")) continue;
            if (split_words(line).empty()) {
                auto types = stanza["types"];
                bool deb = std::find(types.begin(), types.end(), "deb") != types.end();
                bool enabled = stanza["enabled"].empty() || stanza["enabled"][0] != "no";
                if (deb && enabled)
                    for (const auto& uri : stanza["uris"])
                        if (is_debian_mirror(uri, stanza["suites"])) return trim_slashes(uri);
                stanza.clear();
                continue;
            }
            size_t colon = line.find(':');
            if (colon == std::string::npos || line.front() == ' ' || line.front() == '\t') continue;
            std::string key = line.substr(0, colon);
            std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
            stanza[key] = split_words(line.substr(colon + 1));
        }
    }
    return {};
}

std::string host_debian_mirror() {
    if (const char* configured = std::getenv("PVEAM_DEBIAN_MIRROR"); configured && *configured) return configured;
    std::vector<std::string> one_line{read_text_file("/etc/apt/sources.list")};
    std::vector<std::string> deb822;
    glob_t found{};
    if (::glob("/etc/apt/sources.list.d/*", 0, nullptr, &found) == 0) {
        for (size_t i = 0; i < found.gl_pathc; ++i) {
            std::string path = found.gl_pathv[i];
            if (path.ends_with(".list")) one_line.push_back(read_text_file(path));
            else if (path.ends_with(".sources")) deb822.push_back(read_text_file(path));
        }
    }
    ::globfree(&found);
    std::string mirror = debian_mirror_from_apt_sources(one_line, deb822);
    if (mirror.empty())
        throw UserError("no Debian mirror found in the host's apt sources; set PVEAM_DEBIAN_MIRROR");
    return mirror;
}

void pack_directory_tree(const std::string& root, const std::string& archive_path) {
    InterruptGuard guard;
    std::string directory = std::filesystem::path(archive_path).parent_path();
    PendingFile output(directory.empty() ? "." : directory, std::filesystem::path(archive_path).filename());
    WriteArchive writer = open_tar_zst(output.fd());
    std::string trimmed = root;
    while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
    pack_into(writer.get(), trimmed);
    close_archive(writer.get());
    output.commit();
}

}  // namespace pct
