#include "runtime/threaded_decompressor.h"

#include <cerrno>
#include <memory>

namespace pct {

namespace {

constexpr size_t kChunkSize = 1 << 20;
// How far the producer may run ahead: enough to ride out a slow write,
// small enough not to matter for memory.
constexpr size_t kMaxReadyChunks = 8;

struct ReadArchiveDeleter {
    void operator()(archive* a) const { archive_read_free(a); }
};

}  // namespace

ThreadedDecompressor::ThreadedDecompressor(int fd, int (*enable_filter)(archive*))
    : fd_(fd), enable_filter_(enable_filter), thread_([this] { produce(); }) {}

ThreadedDecompressor::~ThreadedDecompressor() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

int ThreadedDecompressor::open(archive* reader) {
    return archive_read_open(reader, this, nullptr, read_callback, nullptr);
}

la_ssize_t ThreadedDecompressor::read_callback(archive* reader, void* self, const void** buffer) {
    return static_cast<ThreadedDecompressor*>(self)->next_chunk(reader, buffer);
}

la_ssize_t ThreadedDecompressor::next_chunk(archive* reader, const void** buffer) {
    std::unique_lock lock(mutex_);
    // libarchive is done with the previous chunk once it asks for the next.
    if (!current_.empty()) spare_.push_back(std::move(current_));
    current_.clear();
    changed_.notify_all();
    changed_.wait(lock, [this] { return !ready_.empty() || finished_; });
    if (ready_.empty()) {
        if (error_.empty()) return 0;
        archive_set_error(reader, EIO, "%s", error_.c_str());
        return -1;
    }
    current_ = std::move(ready_.front());
    ready_.pop_front();
    changed_.notify_all();
    *buffer = current_.data();
    return static_cast<la_ssize_t>(current_.size());
}

bool ThreadedDecompressor::push(std::vector<char> chunk) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return ready_.size() < kMaxReadyChunks || stopping_; });
    if (stopping_) return false;
    ready_.push_back(std::move(chunk));
    changed_.notify_all();
    return true;
}

void ThreadedDecompressor::produce() {
    std::string error;
    {
        // The "raw" format hands out the decompressed bytes as they are.
        std::unique_ptr<archive, ReadArchiveDeleter> input(archive_read_new());
        archive_entry* entry = nullptr;
        enable_filter_(input.get());
        archive_read_support_format_raw(input.get());
        if (archive_read_open_fd(input.get(), fd_, kChunkSize) != ARCHIVE_OK ||
            archive_read_next_header(input.get(), &entry) != ARCHIVE_OK) {
            error = archive_error_string(input.get()) ? archive_error_string(input.get()) : "unreadable archive";
        }
        while (error.empty()) {
            std::vector<char> chunk;
            {
                std::lock_guard lock(mutex_);
                if (!spare_.empty()) {
                    chunk = std::move(spare_.back());
                    spare_.pop_back();
                }
            }
            chunk.resize(kChunkSize);
            la_ssize_t size = archive_read_data(input.get(), chunk.data(), chunk.size());
            if (size < 0) {
                error = archive_error_string(input.get()) ? archive_error_string(input.get()) : "read error";
                break;
            }
            if (size == 0) break;
            chunk.resize(static_cast<size_t>(size));
            if (!push(std::move(chunk))) break;
        }
    }
    std::lock_guard lock(mutex_);
    error_ = error;
    finished_ = true;
    changed_.notify_all();
}

}  // namespace pct
