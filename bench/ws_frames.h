// The client side of RFC 6455 as the bench speaks it over a raw TCP socket, sans I/O: the upgrade
// request and the check of the server's 101, masked client frames appended to a caller's buffer,
// and server frames split out of whatever bytes a read returned. No extensions are offered, so
// RSV bits must be 0. Nothing here allocates except by growing the caller's strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace relayer::bench {

enum class WsOpcode : uint8_t {
  kContinuation = 0,
  kText = 1,
  kBinary = 2,
  kClose = 8,
  kPing = 9,
  kPong = 10
};

// Appends one FIN frame, masked with `mask` (client frames must be masked; RFC 6455 5.3): a 2-byte
// header for payloads < 126, a 16-bit length up to 65535, a 64-bit one beyond, then the 4-byte key
// and the masked payload.
void AppendClientFrame(std::string& out, WsOpcode op, std::string_view payload, uint32_t mask);
// A close frame answering `code` (0: an empty payload).
void AppendClientClose(std::string& out, uint16_t code, uint32_t mask);
// XORs `data` with the 4-byte key `mask` (big-endian order, as on the wire), starting at byte 0.
void MaskBytes(char* data, size_t size, uint32_t mask);

struct WsFrame {
  WsOpcode opcode = WsOpcode::kText;
  bool fin = true;
  std::string_view payload;  // points into the parsed bytes
};

enum class WsParse { kFrame, kIncomplete, kError };

// The server frame at the start of `data` (server frames are not masked).
// kFrame: `frame` is set and `size` is how many bytes it took.
// kIncomplete: `size` is how many bytes the whole frame needs, or 0 while its header is incomplete.
// kError: `error` says what is wrong (a masked or reserved-bit frame, an unknown opcode, a
// fragmented or oversized control frame, a payload over `max_payload`).
WsParse ParseServerFrame(std::string_view data, uint64_t max_payload, WsFrame& frame, size_t& size,
                         const char*& error);

// Sec-WebSocket-Key: base64 of 16 bytes drawn from `seed`.
std::string WsKey(uint64_t seed);
// What a server must answer to `key`: base64(SHA-1(key + the RFC 6455 GUID)).
std::string WsAccept(std::string_view key);
// GET `path` HTTP/1.1 with the upgrade headers and Sec-WebSocket-Protocol `protocol`.
void AppendUpgradeRequest(std::string& out, std::string_view host, std::string_view path,
                          std::string_view key, std::string_view protocol);
// Checks a complete response head (status line through the blank line): a 101 with Upgrade:
// websocket, Connection: upgrade, the Sec-WebSocket-Accept of `key`, and `protocol` chosen. ""
// when it is one, or what is wrong.
std::string CheckUpgradeResponse(std::string_view head, std::string_view key,
                                 std::string_view protocol);

// SHA-1 (FIPS 180-4) of `data`, for the accept key only.
void Sha1(std::string_view data, unsigned char digest[20]);

}  // namespace relayer::bench
