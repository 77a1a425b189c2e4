// The server's half of the RFC 6455 opening handshake, sans I/O: checks the upgrade request's
// header values (already parsed by the HTTP layer) and renders the 101 response. Pure functions,
// safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace relayer::server::ws {

// The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key (base64 of SHA-1 of key + the
// RFC GUID).
std::string AcceptKey(std::string_view client_key);

struct UpgradeCheck {
  bool ok;
  int status;  // 101 when ok; 400, or 426 for an unsupported version
  std::string error;
};
// Validates the upgrade request's fields: method GET, Upgrade lists the "websocket" token,
// Connection lists the "upgrade" token (both case-insensitive, comma-separated lists),
// Sec-WebSocket-Version is 13 (else 426: the response must then carry
// "Sec-WebSocket-Version: 13"), Sec-WebSocket-Key is base64 of 16 bytes.
UpgradeCheck CheckUpgrade(std::string_view method, std::string_view upgrade,
                          std::string_view connection, std::string_view version,
                          std::string_view key);

// The complete "HTTP/1.1 101 Switching Protocols" response text with Upgrade, Connection,
// Sec-WebSocket-Accept, Server: relayer, and Sec-WebSocket-Protocol when `protocol` is non-empty
// (the server's own choice; it must not contain CR or LF). CRLF line endings.
std::string SwitchingProtocolsResponse(std::string_view client_key, std::string_view protocol);

}  // namespace relayer::server::ws
