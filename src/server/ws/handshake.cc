#include "server/ws/handshake.h"

#include <openssl/evp.h>

#include <cassert>

#include "server/auth/crypto.h"

namespace relayer::server::ws {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// Whether a comma-separated header value lists `token` (lower-case); "keep-alive, Upgrade" does.
bool HasToken(std::string_view list, std::string_view token) {
  while (true) {
    size_t comma = list.find(',');
    if (EqualsIgnoreCase(TrimOws(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace

std::string AcceptKey(std::string_view client_key) {
  std::string input(client_key);
  input += kGuid;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // SHA-1 of a short input cannot fail short of memory exhaustion inside OpenSSL.
  int ok = EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha1(), nullptr);
  assert(ok == 1 && len == 20);
  (void)ok;
  return Base64Encode({reinterpret_cast<const char*>(digest), len});
}

UpgradeCheck CheckUpgrade(std::string_view method, std::string_view upgrade,
                          std::string_view connection, std::string_view version,
                          std::string_view key) {
  if (method != "GET") return {false, 400, "a WebSocket upgrade must be a GET request"};
  if (!HasToken(upgrade, "websocket")) return {false, 400, "Upgrade does not list websocket"};
  if (!HasToken(connection, "upgrade")) return {false, 400, "Connection does not list upgrade"};
  if (TrimOws(version) != "13") {
    return {false, 426, "unsupported Sec-WebSocket-Version; only 13 is supported"};
  }
  auto decoded = Base64Decode(TrimOws(key));
  if (!decoded || decoded->size() != 16) {
    return {false, 400, "Sec-WebSocket-Key is not base64 of 16 bytes"};
  }
  return {true, 101, ""};
}

std::string SwitchingProtocolsResponse(std::string_view client_key, std::string_view protocol) {
  // The protocol is ours, picked from the client's offer; a line break would split the header.
  assert(protocol.find_first_of("\r\n") == std::string_view::npos);
  std::string out =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  out += AcceptKey(TrimOws(client_key));
  out += "\r\nServer: relayer\r\n";
  if (!protocol.empty()) {
    out += "Sec-WebSocket-Protocol: ";
    out += protocol;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace relayer::server::ws
