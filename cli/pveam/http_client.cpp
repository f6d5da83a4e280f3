#include "cli/pveam/http_client.h"

#include <curl/curl.h>
#include <signal.h>

#include <atomic>
#include <exception>
#include <memory>

#include "core/error.h"

namespace pct::pveam {

namespace {

std::atomic<bool> g_interrupted{false};

void note_interrupt(int) { g_interrupted = true; }

struct Transfer {
    const std::function<void(const char*, size_t)>* sink = nullptr;
    std::exception_ptr failure;
};

// libcurl is C: exceptions must not cross it, so they are parked here and
// rethrown once curl_easy_perform returned.
size_t write_body(char* data, size_t size, size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    try {
        (*transfer->sink)(data, size * count);
        return size * count;
    } catch (...) {
        transfer->failure = std::current_exception();
        return 0;
    }
}

int check_interrupt(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) { return g_interrupted ? 1 : 0; }

struct CurlDeleter {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

}  // namespace

void init_http() { curl_global_init(CURL_GLOBAL_DEFAULT); }

void install_interrupt_handlers() {
    struct sigaction action {};
    action.sa_handler = note_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() { return g_interrupted; }

void http_get(const std::string& url, const std::function<void(const char*, size_t)>& sink) {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) throw UserError("download of '" + url + "' failed - unable to initialise libcurl");
    Transfer transfer{&sink, nullptr};
    char error[CURL_ERROR_SIZE] = "";
    CURL* handle = curl.get();
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(handle, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(handle, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(handle, CURLOPT_USERAGENT, "pveam (pct)");
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 30L);
    // A transfer slower than 1 byte/s for a minute is dead.
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, check_interrupt);

    CURLcode result = curl_easy_perform(handle);
    if (transfer.failure) std::rethrow_exception(transfer.failure);
    if (result == CURLE_ABORTED_BY_CALLBACK) throw UserError("download of '" + url + "' failed - interrupted");
    if (result != CURLE_OK)
        throw UserError("download of '" + url + "' failed - " + (*error ? error : curl_easy_strerror(result)));
}

std::string http_get_text(const std::string& url, size_t max_bytes) {
    std::string body;
    http_get(url, [&](const char* data, size_t size) {
        if (body.size() + size > max_bytes)
            throw UserError("download of '" + url + "' failed - more than " + std::to_string(max_bytes) + " bytes");
        body.append(data, size);
    });
    return body;
}

}  // namespace pct::pveam
