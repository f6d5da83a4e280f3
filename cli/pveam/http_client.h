#pragma once
// HTTP(S) downloads for pveam, with libcurl: redirects followed, HTTP errors
// are errors, stalled transfers time out, Ctrl-C aborts cleanly.
#include <cstddef>
#include <functional>
#include <string>

namespace pct::pveam {

// Once per process, before any download (libcurl's global state).
void init_http();

// Streams the body of `url` to `sink`. Throws UserError
// "download of '<url>' failed - <reason>"; exceptions thrown by the sink
// stop the transfer and come out unchanged.
void http_get(const std::string& url, const std::function<void(const char* data, size_t size)>& sink);

// The whole body; refuses bodies larger than `max_bytes`.
std::string http_get_text(const std::string& url, size_t max_bytes);

// Set by SIGINT/SIGTERM while a download runs; the transfer then aborts.
void install_interrupt_handlers();
bool interrupted();

}  // namespace pct::pveam
