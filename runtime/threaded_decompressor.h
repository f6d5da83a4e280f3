#pragma once
// Decompresses an archive file on a thread of its own and hands the plain
// tar stream to a libarchive reader. `tar -x --zstd` gets its speed from
// running zstd as a separate process next to tar; this is the same overlap
// without the extra process.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/libarchive.h"

namespace pct {

class ThreadedDecompressor {
public:
    // `enable_filter` registers the decompression filter on the producer's
    // reader (e.g. archive_read_support_filter_zstd). `fd` stays owned by
    // the caller and must outlive this object.
    ThreadedDecompressor(int fd, int (*enable_filter)(archive*));
    ~ThreadedDecompressor();  // stops the thread and waits for it
    ThreadedDecompressor(const ThreadedDecompressor&) = delete;
    ThreadedDecompressor& operator=(const ThreadedDecompressor&) = delete;

    // Makes `reader` (formats set, not yet opened) read the decompressed
    // stream. Returns libarchive's status.
    int open(archive* reader);

private:
    static la_ssize_t read_callback(archive* reader, void* self, const void** buffer);
    la_ssize_t next_chunk(archive* reader, const void** buffer);
    void produce();
    bool push(std::vector<char> chunk);

    int fd_;
    int (*enable_filter_)(archive*);
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::vector<char>> ready_;
    std::vector<std::vector<char>> spare_;  // emptied chunks, reused to avoid allocations
    std::vector<char> current_;             // the chunk libarchive is reading now
    bool finished_ = false;                 // the producer is done (EOF or error)
    bool stopping_ = false;                 // the consumer went away
    std::string error_;
    std::thread thread_;
};

}  // namespace pct
