// pveam download <storage> <template>: fetch a template listed in the
// stored indexes into the storage's template cache, verifying its checksum.
// The file only appears under its name once it is complete and verified.
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

#include "cli/pveam/appliance_sources.h"
#include "cli/pveam/commands.h"
#include "cli/pveam/http_client.h"
#include "cli/pveam/template_storage.h"
#include "core/appliance_index.h"
#include "core/error.h"

namespace pct::pveam {

namespace {

class Checksum {
public:
    // sha512 when the index has it, else md5 (old indexes).
    explicit Checksum(const ApplianceRecord& record)
        : expected_(record.sha512sum.empty() ? record.md5sum : record.sha512sum),
          context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
        EVP_DigestInit_ex(context_.get(), record.sha512sum.empty() ? EVP_md5() : EVP_sha512(), nullptr);
    }
    void update(const char* data, size_t size) { EVP_DigestUpdate(context_.get(), data, size); }
    std::string hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int size = 0;
        EVP_DigestFinal_ex(context_.get(), digest, &size);
        std::string text;
        char byte[3];
        for (unsigned int i = 0; i < size; ++i) {
            std::snprintf(byte, sizeof byte, "%02x", digest[i]);
            text += byte;
        }
        return text;
    }
    const std::string& expected() const { return expected_; }

private:
    std::string expected_;
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context_;
};

std::string checksum_of_file(const std::string& path, const ApplianceRecord& record) {
    Checksum checksum(record);
    std::ifstream file(path, std::ios::binary);
    std::vector<char> buffer(1 << 20);
    while (file.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || file.gcount() > 0)
        checksum.update(buffer.data(), static_cast<size_t>(file.gcount()));
    return checksum.hex();
}

// The temp file in the cache directory; removed unless renamed into place.
class PartialDownload {
public:
    explicit PartialDownload(const std::string& cache_dir, const std::string& name) {
        std::string pattern = cache_dir + "/." + name + ".tmp.XXXXXX";
        std::vector<char> buffer(pattern.begin(), pattern.end());
        buffer.push_back('\0');
        fd_ = ::mkostemp(buffer.data(), O_CLOEXEC);
        if (fd_ < 0) throw UserError("unable to create a file in '" + cache_dir + "': " + std::strerror(errno));
        path_ = buffer.data();
        ::fchmod(fd_, 0644);
    }
    PartialDownload(const PartialDownload&) = delete;
    PartialDownload& operator=(const PartialDownload&) = delete;
    ~PartialDownload() {
        if (fd_ >= 0) ::close(fd_);
        if (!kept_) ::unlink(path_.c_str());
    }
    void write(const char* data, size_t size) {
        while (size > 0) {
            ssize_t n = ::write(fd_, data, size);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw UserError("unable to write '" + path_ + "': " + std::strerror(errno));
            data += n;
            size -= static_cast<size_t>(n);
        }
    }
    void keep_as(const std::string& destination) {
        if (::fsync(fd_) != 0) throw UserError("unable to write '" + path_ + "': " + std::strerror(errno));
        ::close(fd_);
        fd_ = -1;
        if (::rename(path_.c_str(), destination.c_str()) != 0)
            throw UserError("unable to rename '" + path_ + "' to '" + destination + "': " + std::strerror(errno));
        kept_ = true;
    }

private:
    std::string path_;
    int fd_ = -1;
    bool kept_ = false;
};

}  // namespace

int run_download(const Arguments& args, const HostPaths& paths) {
    const std::string& storage_id = args.positionals[0];
    const std::string& name = args.positionals[1];

    std::vector<std::string> warnings;
    std::vector<ApplianceRecord> records = load_stored_records(paths, warnings);
    const ApplianceRecord* record = nullptr;
    for (const auto& candidate : records)
        if (candidate.template_name == name) record = &candidate;  // the last one wins, as in `available`
    if (!record) throw ParameterError({"template: no such template"});

    StorageDefinition storage = find_enabled_storage(paths, storage_id);
    if (!allows_templates(storage)) throw UserError("storage '" + storage_id + "' does not support templates");
    if (record->sha512sum.empty() && record->md5sum.empty())
        throw UserError("template '" + name + "' has no checksum in the index - refusing to download it");

    std::string cache_dir = template_cache_dir(storage);
    std::string destination = cache_dir + "/" + name;
    std::error_code error;
    std::filesystem::create_directories(cache_dir, error);
    std::cout << "downloading " << record->url << " to " << destination << std::endl;

    if (std::filesystem::is_regular_file(destination, error) &&
        checksum_of_file(destination, *record) == Checksum(*record).expected()) {
        std::cout << "file already exists and its checksum matches - no need to download" << std::endl;
        return 0;
    }

    install_interrupt_handlers();
    PartialDownload partial(cache_dir, name);
    Checksum checksum(*record);
    http_get(record->url, [&](const char* data, size_t size) {
        partial.write(data, size);
        checksum.update(data, size);
    });
    std::cout << "calculating checksum..." << std::flush;
    std::string got = checksum.hex();
    if (got != checksum.expected()) {
        std::cout << "FAILED" << std::endl;
        throw UserError("checksum mismatch: got '" + got + "' != expect '" + checksum.expected() + "'");
    }
    std::cout << "OK, checksum verified" << std::endl;
    partial.keep_as(destination);
    std::cout << "download of '" << record->url << "' to '" << destination << "' finished" << std::endl;
    return 0;
}

}  // namespace pct::pveam
