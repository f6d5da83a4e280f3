// pveam update: fetch every configured appliance index, check that it
// parses, and store it under apl-info/<host>. Details go to pveam.log.
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/pveam/appliance_sources.h"
#include "cli/pveam/commands.h"
#include "cli/pveam/http_client.h"
#include "core/appliance_index.h"
#include "core/error.h"
#include "runtime/libarchive.h"

namespace pct::pveam {

namespace {

constexpr size_t kMaxIndexBytes = 64 << 20;
constexpr std::uintmax_t kLogRotateBytes = 50 * 1024;

class UpdateLog {
public:
    explicit UpdateLog(const std::string& path) {
        std::error_code error;
        std::filesystem::create_directories(std::filesystem::path(path).parent_path(), error);
        if (std::filesystem::file_size(path, error) > kLogRotateBytes && !error)
            std::filesystem::rename(path, path + ".0", error);
        file_.open(path, std::ios::app);
    }
    void write(const std::string& message) {
        char stamp[32];
        std::time_t now = std::time(nullptr);
        std::strftime(stamp, sizeof stamp, "%F %H:%M:%S", std::localtime(&now));
        file_ << stamp << " " << message << "\n" << std::flush;
    }

private:
    std::ofstream file_;
};

bool starts_with_bytes(const std::string& data, std::string_view magic) {
    return data.compare(0, magic.size(), magic) == 0;
}

// Index files are usually served compressed (aplinfo.dat.gz).
std::string decompressed(const std::string& data, const std::string& url) {
    using namespace std::string_view_literals;
    bool compressed = starts_with_bytes(data, "\x1f\x8b"sv) || starts_with_bytes(data, "\xfd" "7zXZ\0"sv) ||
                      starts_with_bytes(data, "\x28\xb5\x2f\xfd"sv) || starts_with_bytes(data, "BZh"sv);
    if (!compressed) return data;
    std::unique_ptr<archive, int (*)(archive*)> reader(archive_read_new(), archive_read_free);
    archive_read_support_filter_all(reader.get());
    archive_read_support_format_raw(reader.get());
    archive_entry* entry = nullptr;
    if (archive_read_open_memory(reader.get(), data.data(), data.size()) != ARCHIVE_OK ||
        archive_read_next_header(reader.get(), &entry) != ARCHIVE_OK)
        throw UserError("update failed: unable to unpack '" + url + "': " + archive_error_string(reader.get()));
    std::string text;
    char buffer[65536];
    la_ssize_t n = 0;
    while ((n = archive_read_data(reader.get(), buffer, sizeof buffer)) > 0) {
        text.append(buffer, static_cast<size_t>(n));
        if (text.size() > kMaxIndexBytes) throw UserError("update failed: '" + url + "' is too large");
    }
    if (n < 0) throw UserError("update failed: unable to unpack '" + url + "': " + archive_error_string(reader.get()));
    return text;
}

void store_index(const IndexSource& source, const std::string& text) {
    std::string temp = source.stored_file + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream file(temp, std::ios::binary | std::ios::trunc);
        file << text;
        file.flush();
        if (!file) {
            std::filesystem::remove(temp);
            throw UserError("update failed: unable to write '" + temp + "'");
        }
    }
    std::error_code error;
    std::filesystem::rename(temp, source.stored_file, error);
    if (error) {
        std::filesystem::remove(temp);
        throw UserError("update failed: unable to store data");
    }
}

}  // namespace

int run_update(const Arguments&, const HostPaths& paths) {
    std::string log_file = pveam_log_file(paths);
    UpdateLog log(log_file);
    log.write("starting update");
    std::error_code error;
    std::filesystem::create_directories(apl_info_dir(paths), error);
    bool failed = false;
    for (const auto& source : index_sources(paths)) {
        try {
            log.write("start download " + source.url);
            std::string text = decompressed(http_get_text(source.url, kMaxIndexBytes), source.url);
            log.write("download finished");
            // Proxmox refuses an index with any bad record ("test syntax").
            ApplianceIndex index = parse_appliance_index(text, source.url);
            if (!index.problems.empty()) throw UserError("update failed: " + index.problems.front());
            store_index(source, text);
            log.write("update successful (" + std::to_string(index.records.size()) + " templates)");
        } catch (const UserError& e) {
            log.write(e.what());
            failed = true;
        }
    }
    if (failed) {
        std::cerr << "update failed - see " << log_file << " for details\n";
        return 255;
    }
    std::cout << "update successful\n";
    return 0;
}

}  // namespace pct::pveam
