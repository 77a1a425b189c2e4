// Just enough of HTTP/1.1 responses (RFC 9112) for the bench's own hot-path clients (the receipt
// POSTs and the WebSocket upgrade), sans I/O: where a response head ends, its status, how its
// body is framed (Content-Length, chunked, or none for 1xx/204/304), and whether the connection
// stays open. Views point into the caller's bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace relayer::bench {

struct HttpResponseHead {
  unsigned status = 0;
  int minor_version = 1;        // HTTP/1.x
  size_t size = 0;              // bytes from the status line through the blank line
  std::string_view headers;     // the header lines, each ending in CRLF
  int64_t content_length = -1;  // -1: no Content-Length
  bool chunked = false;         // Transfer-Encoding ends in chunked
  bool keep_alive = true;       // HTTP/1.1 without Connection: close, or 1.0 with keep-alive
  // No body whatever the headers say (1xx, 204, 304; the request was never a HEAD).
  bool NoBody() const { return status / 100 == 1 || status == 204 || status == 304; }
};

enum class HttpParse { kDone, kIncomplete, kError };

// The head at the start of `data`. kIncomplete until the blank line arrived; kError on a
// malformed status line or Content-Length.
HttpParse ParseResponseHead(std::string_view data, HttpResponseHead& head);

// The value of the first header `name` (case-insensitive), without surrounding blanks, or ""
// when absent. `found` (if given) tells an empty value from an absent one.
std::string_view FindHeader(std::string_view headers, std::string_view name, bool* found = nullptr);
// Whether the comma-separated header value `value` holds `token` (case-insensitive).
bool HeaderHasToken(std::string_view value, std::string_view token);

// A chunked body at the start of `data` (just after the head): kDone with `size` the bytes it
// took (trailers included) and the payload appended to `body`; kIncomplete (nothing appended)
// until it all arrived.
HttpParse ParseChunkedBody(std::string_view data, std::string& body, size_t& size);

}  // namespace relayer::bench
