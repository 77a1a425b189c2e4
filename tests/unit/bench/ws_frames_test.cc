#include "bench/ws_frames.h"

#include <gtest/gtest.h>

#include <string>

namespace relayer::bench {
namespace {

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 15]);
  }
  return out;
}

// A server frame (unmasked) as a server writes it.
std::string ServerFrame(uint8_t first_byte, std::string_view payload) {
  std::string out(1, static_cast<char>(first_byte));
  const uint64_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(n));
  } else if (n <= 0xffff) {
    out.push_back(126);
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n));
  } else {
    out.push_back(127);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(n >> shift));
  }
  out.append(payload);
  return out;
}

TEST(WsFrames, Sha1AndTheAcceptKeyOfRfc6455) {
  unsigned char digest[20];
  Sha1("abc", digest);
  EXPECT_EQ(Hex(digest, 20), "a9993e364706816aba3e25717850c26c9cd0d89d");
  Sha1("", digest);
  EXPECT_EQ(Hex(digest, 20), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  Sha1(std::string(1000, 'a'), digest);  // several blocks
  EXPECT_EQ(Hex(digest, 20), "291e9a6c66994949b57ba5e650361e98fc36b1ba");
  // RFC 6455 section 1.3.
  EXPECT_EQ(WsAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(WsKey(1).size(), 24u);
  EXPECT_NE(WsKey(1), WsKey(2));
}

TEST(WsFrames, ClientFramesAreMaskedWithTheRightLengthEncoding) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{125}, size_t{126}, size_t{65535}, size_t{65536},
                   size_t{70001}}) {
    std::string payload(n, '\0');
    for (size_t i = 0; i < n; ++i) payload[i] = static_cast<char>(i * 31 + 7);
    std::string out = "x";
    const uint32_t mask = 0xA1B2C3D4;
    AppendClientFrame(out, WsOpcode::kText, payload, mask);
    const auto* b = reinterpret_cast<const unsigned char*>(out.data() + 1);
    EXPECT_EQ(b[0], 0x81);          // FIN, text
    EXPECT_TRUE(b[1] & 0x80) << n;  // masked
    size_t header = 2;
    uint64_t length = b[1] & 0x7f;
    if (n < 126) {
      EXPECT_EQ(length, n);
    } else if (n <= 0xffff) {
      EXPECT_EQ(length, 126u);
      length = uint64_t{b[2]} << 8 | b[3];
      header = 4;
    } else {
      EXPECT_EQ(length, 127u);
      length = 0;
      for (int i = 2; i < 10; ++i) length = length << 8 | b[i];
      header = 10;
    }
    EXPECT_EQ(length, n);
    EXPECT_EQ(Hex(b + header, 4), "a1b2c3d4");
    ASSERT_EQ(out.size(), 1 + header + 4 + n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(static_cast<unsigned char>(out[1 + header + 4 + i]),
                static_cast<unsigned char>(payload[i]) ^ b[header + (i & 3)])
          << i;
    }
  }
  std::string close;
  AppendClientClose(close, 1000, 0);
  EXPECT_EQ(close, std::string("\x88\x82\0\0\0\0\x03\xe8", 8));
  close.clear();
  AppendClientClose(close, 0, 0);
  EXPECT_EQ(close, std::string("\x88\x80\0\0\0\0", 6));
}

TEST(WsFrames, MaskBytesIsAnInvolution) {
  std::string data = "the quick brown fox jumps over the lazy dog";
  const std::string original = data;
  MaskBytes(data.data() + 1, data.size() - 1, 0x01020304);  // unaligned start
  EXPECT_EQ(data[1], static_cast<char>('h' ^ 0x01));
  EXPECT_EQ(data[4], static_cast<char>('q' ^ 0x04));
  EXPECT_EQ(data[5], static_cast<char>('u' ^ 0x01));
  MaskBytes(data.data() + 1, data.size() - 1, 0x01020304);
  EXPECT_EQ(data, original);
}

TEST(WsFrames, SplitsServerFramesOfEveryLengthEncoding) {
  std::string stream;
  std::vector<std::string> payloads;
  for (size_t n : {size_t{0}, size_t{5}, size_t{125}, size_t{126}, size_t{1470}, size_t{65535},
                   size_t{65536}, size_t{200000}}) {
    payloads.emplace_back(n, static_cast<char>('a' + payloads.size()));
    stream += ServerFrame(0x81, payloads.back());
  }
  size_t pos = 0;
  for (const auto& want : payloads) {
    WsFrame frame;
    size_t size = 0;
    const char* error = "";
    ASSERT_EQ(ParseServerFrame(std::string_view(stream).substr(pos), 1 << 20, frame, size, error),
              WsParse::kFrame);
    EXPECT_EQ(frame.opcode, WsOpcode::kText);
    EXPECT_TRUE(frame.fin);
    EXPECT_EQ(frame.payload, want);
    pos += size;
  }
  EXPECT_EQ(pos, stream.size());
}

TEST(WsFrames, IncompleteFramesSayHowMuchTheyNeed) {
  const std::string frame_bytes = ServerFrame(0x81, std::string(300, 'p'));  // 4-byte header
  for (size_t n = 0; n < frame_bytes.size(); ++n) {
    WsFrame frame;
    size_t size = 99;
    const char* error = "";
    ASSERT_EQ(
        ParseServerFrame(std::string_view(frame_bytes).substr(0, n), 1 << 20, frame, size, error),
        WsParse::kIncomplete)
        << n;
    EXPECT_EQ(size, n < 4 ? 0u : frame_bytes.size()) << n;
  }
  const std::string big = ServerFrame(0x82, std::string(70000, 'q'));  // 10-byte header
  WsFrame frame;
  size_t size = 0;
  const char* error = "";
  EXPECT_EQ(ParseServerFrame(std::string_view(big).substr(0, 9), 1 << 20, frame, size, error),
            WsParse::kIncomplete);
  EXPECT_EQ(size, 0u);
  EXPECT_EQ(ParseServerFrame(std::string_view(big).substr(0, 10), 1 << 20, frame, size, error),
            WsParse::kIncomplete);
  EXPECT_EQ(size, big.size());
}

TEST(WsFrames, ControlFramesAndFragments) {
  WsFrame frame;
  size_t size = 0;
  const char* error = "";
  const std::string ping = ServerFrame(0x89, "hi");
  ASSERT_EQ(ParseServerFrame(ping, 1 << 20, frame, size, error), WsParse::kFrame);
  EXPECT_EQ(frame.opcode, WsOpcode::kPing);
  EXPECT_EQ(frame.payload, "hi");
  const std::string first = ServerFrame(0x01, "hel");  // text, not FIN
  ASSERT_EQ(ParseServerFrame(first, 1 << 20, frame, size, error), WsParse::kFrame);
  EXPECT_FALSE(frame.fin);
  EXPECT_EQ(frame.opcode, WsOpcode::kText);
  const std::string last = ServerFrame(0x80, "lo");  // continuation, FIN
  ASSERT_EQ(ParseServerFrame(last, 1 << 20, frame, size, error), WsParse::kFrame);
  EXPECT_TRUE(frame.fin);
  EXPECT_EQ(frame.opcode, WsOpcode::kContinuation);
  const std::string close = ServerFrame(0x88, std::string("\x03\xe8"
                                                          "bye",
                                                          5));
  ASSERT_EQ(ParseServerFrame(close, 1 << 20, frame, size, error), WsParse::kFrame);
  EXPECT_EQ(frame.opcode, WsOpcode::kClose);
  EXPECT_EQ(frame.payload.substr(2), "bye");
}

TEST(WsFrames, RefusesWhatAServerMustNotSend) {
  std::string masked = ServerFrame(0x81, "abcd");
  masked[1] = static_cast<char>(masked[1] | 0x80);
  for (const std::string& bad :
       {masked, ServerFrame(0xC1, "x") /* RSV1 */, ServerFrame(0x83, "x") /* opcode 3 */,
        ServerFrame(0x09, "x") /* fragmented ping */, ServerFrame(0x89, std::string(126, 'x')),
        ServerFrame(0x81, std::string(1001, 'x')) /* over the limit */}) {
    WsFrame frame;
    size_t size = 0;
    const char* error = "";
    EXPECT_EQ(ParseServerFrame(bad, 1000, frame, size, error), WsParse::kError);
    EXPECT_STRNE(error, "");
  }
}

TEST(WsFrames, UpgradeRequestAndResponse) {
  std::string request;
  AppendUpgradeRequest(request, "127.0.0.1:7300", "/?session_token=T", "KEY", "layer-2.0");
  EXPECT_EQ(request,
            "GET /?session_token=T HTTP/1.1\r\nHost: 127.0.0.1:7300\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: KEY\r\n"
            "Sec-WebSocket-Protocol: layer-2.0\r\n\r\n");
  const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
  // Relayer's and bench/relay's answers as they came off the wire, with this key's accept.
  const std::string relayer =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: layer-2.0\r\n"
      "Server: relayer\r\n\r\n";
  const std::string relay =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: layer-2.0\r\n"
      "Date: Wed, 02 Dec 2026 15:02:07 GMT\r\nuWebSockets: 20\r\n\r\n";
  EXPECT_EQ(CheckUpgradeResponse(relayer, key, "layer-2.0"), "");
  EXPECT_EQ(CheckUpgradeResponse(relay, key, "layer-2.0"), "");
  auto without = [&](std::string_view header) {
    std::string out = relayer;
    const size_t at = out.find(header);
    out.erase(at, out.find("\r\n", at) + 2 - at);
    return out;
  };
  EXPECT_EQ(CheckUpgradeResponse(without("Sec-WebSocket-Protocol"), key, "layer-2.0"),
            "the server did not pick layer-2.0");
  EXPECT_EQ(CheckUpgradeResponse(without("Upgrade:"), key, "layer-2.0"),
            "a 101 without Upgrade: websocket");
  EXPECT_EQ(CheckUpgradeResponse(without("Sec-WebSocket-Accept"), key, "layer-2.0"),
            "a wrong Sec-WebSocket-Accept");
  EXPECT_EQ(CheckUpgradeResponse(relayer, "b3RoZXIga2V5IGhlcmUhIQ==", "layer-2.0"),
            "a wrong Sec-WebSocket-Accept");
  EXPECT_EQ(CheckUpgradeResponse("HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\n", key,
                                 "layer-2.0"),
            "the upgrade was declined (HTTP 401)");
}

}  // namespace
}  // namespace relayer::bench
