#include "http_wire.h"

#include "xmpp_text.h"

namespace relayer::bench {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLowerChar(a[i]) != AsciiLowerChar(b[i])) return false;
  }
  return true;
}

// A whole decimal number ("0", "15"), or -1.
int64_t ParseLength(std::string_view s) {
  if (s.empty() || s.size() > 18) return -1;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

bool HeaderHasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    if (EqualsIgnoreCase(Trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

std::string_view FindHeader(std::string_view headers, std::string_view name, bool* found) {
  if (found) *found = false;
  while (!headers.empty()) {
    size_t eol = headers.find("\r\n");
    if (eol == std::string_view::npos) eol = headers.size();
    const std::string_view line = headers.substr(0, eol);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos && EqualsIgnoreCase(line.substr(0, colon), name)) {
      if (found) *found = true;
      return Trim(line.substr(colon + 1));
    }
    headers.remove_prefix(std::min(headers.size(), eol + 2));
  }
  return {};
}

HttpParse ParseResponseHead(std::string_view data, HttpResponseHead& head) {
  head = HttpResponseHead();
  const size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    // A head that cannot be an HTTP response is refused before it is complete.
    const std::string_view start = data.substr(0, 7);
    return std::string_view("HTTP/1.").substr(0, start.size()) == start ? HttpParse::kIncomplete
                                                                        : HttpParse::kError;
  }
  head.size = end + 4;
  const size_t eol = data.find("\r\n");
  const std::string_view status_line = data.substr(0, eol);
  // "HTTP/1.1 204 No Content": version, one space, three digits, then a space or the end.
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ')
    return HttpParse::kError;
  if (status_line[7] != '0' && status_line[7] != '1') return HttpParse::kError;
  head.minor_version = status_line[7] - '0';
  for (int i = 9; i < 12; ++i) {
    if (status_line[i] < '0' || status_line[i] > '9') return HttpParse::kError;
    head.status = head.status * 10 + static_cast<unsigned>(status_line[i] - '0');
  }
  if (status_line.size() > 12 && status_line[12] != ' ') return HttpParse::kError;
  head.headers = data.substr(eol + 2, head.size - 2 - (eol + 2));
  bool has_length = false;
  const std::string_view length = FindHeader(head.headers, "Content-Length", &has_length);
  if (has_length) {
    head.content_length = ParseLength(length);
    if (head.content_length < 0) return HttpParse::kError;
  }
  const std::string_view encoding = FindHeader(head.headers, "Transfer-Encoding");
  if (!encoding.empty()) {
    const size_t comma = encoding.rfind(',');
    head.chunked = EqualsIgnoreCase(
        Trim(encoding.substr(comma == std::string_view::npos ? 0 : comma + 1)), "chunked");
  }
  const std::string_view connection = FindHeader(head.headers, "Connection");
  head.keep_alive = head.minor_version == 1 ? !HeaderHasToken(connection, "close")
                                            : HeaderHasToken(connection, "keep-alive");
  return HttpParse::kDone;
}

HttpParse ParseChunkedBody(std::string_view data, std::string& body, size_t& size) {
  const size_t body_start = body.size();
  size_t pos = 0;
  for (;;) {
    const size_t eol = data.find("\r\n", pos);
    if (eol == std::string_view::npos) break;
    std::string_view line = data.substr(pos, eol - pos);
    line = line.substr(0, line.find(';'));  // chunk extensions
    line = Trim(line);
    if (line.empty() || line.size() > 15) return body.resize(body_start), HttpParse::kError;
    uint64_t chunk = 0;
    for (char c : line) {
      const int digit = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
      if (digit < 0) return body.resize(body_start), HttpParse::kError;
      chunk = chunk * 16 + static_cast<uint64_t>(digit);
    }
    pos = eol + 2;
    if (chunk == 0) {
      // Trailers, then the blank line.
      for (;;) {
        const size_t trailer_end = data.find("\r\n", pos);
        if (trailer_end == std::string_view::npos)
          return body.resize(body_start), HttpParse::kIncomplete;
        const bool blank = trailer_end == pos;
        pos = trailer_end + 2;
        if (blank) {
          size = pos;
          return HttpParse::kDone;
        }
      }
    }
    if (data.size() - pos < chunk + 2) break;
    body.append(data.substr(pos, chunk));
    pos += chunk;
    if (data.substr(pos, 2) != "\r\n") return body.resize(body_start), HttpParse::kError;
    pos += 2;
  }
  body.resize(body_start);
  return HttpParse::kIncomplete;
}

}  // namespace relayer::bench
