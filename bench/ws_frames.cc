#include "ws_frames.h"

#include <cstring>

#include "http_wire.h"
#include "xmpp_text.h"

namespace relayer::bench {

namespace {

constexpr std::string_view kWsGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

uint32_t Rotl(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

void AppendHeader(std::string& out, WsOpcode op, uint64_t size, uint32_t mask) {
  char header[14];
  size_t n = 0;
  header[n++] = static_cast<char>(0x80 | static_cast<uint8_t>(op));
  if (size < 126) {
    header[n++] = static_cast<char>(0x80 | size);
  } else if (size <= 0xffff) {
    header[n++] = static_cast<char>(0x80 | 126);
    header[n++] = static_cast<char>(size >> 8);
    header[n++] = static_cast<char>(size);
  } else {
    header[n++] = static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8) header[n++] = static_cast<char>(size >> shift);
  }
  for (int shift = 24; shift >= 0; shift -= 8) header[n++] = static_cast<char>(mask >> shift);
  out.append(header, n);
}

}  // namespace

void MaskBytes(char* data, size_t size, uint32_t mask) {
  unsigned char key[8];
  for (int i = 0; i < 4; ++i)
    key[i] = key[i + 4] = static_cast<unsigned char>(mask >> (24 - 8 * i));
  uint64_t key8;
  std::memcpy(&key8, key, 8);  // the key repeated, in memory order
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t v;
    std::memcpy(&v, data + i, 8);
    v ^= key8;
    std::memcpy(data + i, &v, 8);
  }
  for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ key[i & 3]);
}

void AppendClientFrame(std::string& out, WsOpcode op, std::string_view payload, uint32_t mask) {
  AppendHeader(out, op, payload.size(), mask);
  const size_t start = out.size();
  out.append(payload);
  MaskBytes(out.data() + start, payload.size(), mask);
}

void AppendClientClose(std::string& out, uint16_t code, uint32_t mask) {
  if (code == 0) return AppendClientFrame(out, WsOpcode::kClose, {}, mask);
  const char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code)};
  AppendClientFrame(out, WsOpcode::kClose, std::string_view(payload, 2), mask);
}

WsParse ParseServerFrame(std::string_view data, uint64_t max_payload, WsFrame& frame, size_t& size,
                         const char*& error) {
  size = 0;
  if (data.size() < 2) return WsParse::kIncomplete;
  const auto b0 = static_cast<uint8_t>(data[0]);
  const auto b1 = static_cast<uint8_t>(data[1]);
  if (b0 & 0x70) return error = "a frame with reserved bits set", WsParse::kError;
  if (b1 & 0x80) return error = "a masked frame from the server", WsParse::kError;
  const uint8_t op = b0 & 0x0f;
  const bool control = op >= 8;
  if (op != 0 && op != 1 && op != 2 && op != 8 && op != 9 && op != 10)
    return error = "a frame with an unknown opcode", WsParse::kError;
  const bool fin = (b0 & 0x80) != 0;
  uint64_t length = b1 & 0x7f;
  size_t header = 2;
  if (length == 126) {
    if (data.size() < 4) return WsParse::kIncomplete;
    length =
        static_cast<uint64_t>(static_cast<uint8_t>(data[2])) << 8 | static_cast<uint8_t>(data[3]);
    header = 4;
  } else if (length == 127) {
    if (data.size() < 10) return WsParse::kIncomplete;
    length = 0;
    for (int i = 2; i < 10; ++i) length = length << 8 | static_cast<uint8_t>(data[i]);
    if (length >> 63) return error = "a frame length with its top bit set", WsParse::kError;
    header = 10;
  }
  if (control && (!fin || length > 125))
    return error = "a fragmented or oversized control frame", WsParse::kError;
  if (length > max_payload) return error = "a message over the size limit", WsParse::kError;
  if (data.size() - header < length) {
    size = header + static_cast<size_t>(length);
    return WsParse::kIncomplete;
  }
  frame.opcode = static_cast<WsOpcode>(op);
  frame.fin = fin;
  frame.payload = data.substr(header, static_cast<size_t>(length));
  size = header + static_cast<size_t>(length);
  return WsParse::kFrame;
}

void Sha1(std::string_view data, unsigned char digest[20]) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::string msg(data);
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56) msg.push_back('\0');
  const uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  for (int shift = 56; shift >= 0; shift -= 8) msg.push_back(static_cast<char>(bits >> shift));
  for (size_t block = 0; block < msg.size(); block += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      const auto* p = reinterpret_cast<const unsigned char*>(msg.data() + block + 4 * i);
      w[i] = static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
             static_cast<uint32_t>(p[2]) << 8 | p[3];
    }
    for (int i = 16; i < 80; ++i) w[i] = Rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6;
      }
      const uint32_t t = Rotl(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = Rotl(b, 30);
      b = a;
      a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 4; ++j)
      digest[4 * i + j] = static_cast<unsigned char>(h[i] >> (24 - 8 * j));
  }
}

std::string WsKey(uint64_t seed) {
  char bytes[16];
  for (int i = 0; i < 16; ++i) {
    seed ^= seed << 13;  // xorshift64: any 16 bytes will do, they only need to differ
    seed ^= seed >> 7;
    seed ^= seed << 17;
    bytes[i] = static_cast<char>(seed >> 24);
  }
  std::string key;
  AppendBase64(key, std::string_view(bytes, 16));
  return key;
}

std::string WsAccept(std::string_view key) {
  std::string input(key);
  input.append(kWsGuid);
  unsigned char digest[20];
  Sha1(input, digest);
  std::string accept;
  AppendBase64(accept, std::string_view(reinterpret_cast<const char*>(digest), 20));
  return accept;
}

void AppendUpgradeRequest(std::string& out, std::string_view host, std::string_view path,
                          std::string_view key, std::string_view protocol) {
  out += "GET ";
  out += path;
  out += " HTTP/1.1\r\nHost: ";
  out += host;
  out +=
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: ";
  out += key;
  out += "\r\nSec-WebSocket-Protocol: ";
  out += protocol;
  out += "\r\n\r\n";
}

std::string CheckUpgradeResponse(std::string_view head, std::string_view key,
                                 std::string_view protocol) {
  HttpResponseHead h;
  if (ParseResponseHead(head, h) != HttpParse::kDone) return "a malformed upgrade response";
  if (h.status != 101) return "the upgrade was declined (HTTP " + std::to_string(h.status) + ")";
  if (!HeaderHasToken(FindHeader(h.headers, "Upgrade"), "websocket"))
    return "a 101 without Upgrade: websocket";
  if (!HeaderHasToken(FindHeader(h.headers, "Connection"), "upgrade"))
    return "a 101 without Connection: upgrade";
  if (FindHeader(h.headers, "Sec-WebSocket-Accept") != WsAccept(key))
    return "a wrong Sec-WebSocket-Accept";
  if (!FindHeader(h.headers, "Sec-WebSocket-Extensions").empty())
    return "an extension the client did not offer";
  if (FindHeader(h.headers, "Sec-WebSocket-Protocol") != protocol)
    return "the server did not pick " + std::string(protocol);
  return "";
}

}  // namespace relayer::bench
