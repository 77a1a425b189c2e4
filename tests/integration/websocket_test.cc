// The WebSocket transport over a raw loopback socket, byte by byte as a client writes it:
// fragmented requests with a ping between the fragments, protocol violations and oversize
// messages closed with their codes, refused upgrades, and silent connections closed by the
// server's idle sweep.
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <string>

#include "integration/test_server.h"

namespace relayer::it {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Frame {
  uint8_t opcode = 0;
  bool fin = false;
  std::string payload;
};

// A client that writes frames by hand (masked, as RFC 6455 requires of clients, unless told not
// to) and reads the server's frames.
class RawClient {
 public:
  explicit RawClient(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    // A read that gets nothing for 10 s fails (ends the test) instead of hanging it.
    timeval tv{10, 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  // Sends the upgrade request; returns the status line and headers of the answer.
  std::string Upgrade(const std::string& token, const std::string& version = "13") {
    std::string req = "GET /?session_token=" + token +
                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: " +
                      version + "\r\nSec-WebSocket-Protocol: layer-2.0\r\n\r\n";
    asio::write(socket_, asio::buffer(req));
    asio::read_until(socket_, in_, "\r\n\r\n");
    std::string all(asio::buffers_begin(in_.data()), asio::buffers_end(in_.data()));
    const size_t end = all.find("\r\n\r\n") + 4;
    in_.consume(end);
    return all.substr(0, end);
  }

  void Send(uint8_t opcode, bool fin, std::string_view payload, bool mask = true) {
    std::string f;
    f += static_cast<char>((fin ? 0x80 : 0) | opcode);
    const uint8_t mask_bit = mask ? 0x80 : 0;
    if (payload.size() < 126) {
      f += static_cast<char>(mask_bit | payload.size());
    } else {
      f += static_cast<char>(mask_bit | 127);
      for (int i = 7; i >= 0; --i) f += static_cast<char>(uint64_t{payload.size()} >> (8 * i));
    }
    const char key[4] = {0x12, 0x34, 0x56, 0x78};
    if (mask) f.append(key, 4);
    for (size_t i = 0; i < payload.size(); ++i) f += mask ? payload[i] ^ key[i % 4] : payload[i];
    asio::write(socket_, asio::buffer(f));
  }

  // The next frame from the server; opcode 0xFF when the connection ended first.
  Frame Read() {
    Frame out;
    boost::system::error_code ec;
    if (!Fill(2, ec)) return Frame{0xFF, true, ec.message()};
    const auto* h = static_cast<const uint8_t*>(in_.data().data());
    out.fin = (h[0] & 0x80) != 0;
    out.opcode = h[0] & 0x0F;
    uint64_t len = h[1] & 0x7F;
    size_t header = 2;
    if (len == 126) header = 4;
    if (len == 127) header = 10;
    if (!Fill(header, ec)) return Frame{0xFF, true, ec.message()};
    h = static_cast<const uint8_t*>(in_.data().data());
    if (header > 2) {
      len = 0;
      for (size_t i = 2; i < header; ++i) len = (len << 8) | h[i];
    }
    if (!Fill(header + len, ec)) return Frame{0xFF, true, ec.message()};
    const char* p = static_cast<const char*>(in_.data().data());
    out.payload.assign(p + header, len);
    in_.consume(header + len);
    return out;
  }

  // Frames until one with `opcode` (skipping others); opcode 0xFF when none came.
  Frame ReadUntil(uint8_t opcode) {
    for (int i = 0; i < 50; ++i) {
      Frame f = Read();
      if (f.opcode == opcode || f.opcode == 0xFF) return f;
    }
    return Frame{0xFF, true, "no such frame"};
  }

 private:
  bool Fill(size_t n, boost::system::error_code& ec) {
    while (in_.size() < n) {
      const size_t got = socket_.read_some(in_.prepare(4096), ec);
      if (ec) return false;
      in_.commit(got);
    }
    return true;
  }

  asio::io_context ioc_;
  tcp::socket socket_;
  asio::streambuf in_;
};

uint16_t CloseCode(const Frame& f) {
  if (f.payload.size() < 2) return 0;
  return static_cast<uint16_t>((static_cast<uint8_t>(f.payload[0]) << 8) |
                               static_cast<uint8_t>(f.payload[1]));
}

class WebSocketTransport : public ApiTest {
 protected:
  Limits TestLimits() const override {
    Limits l;
    l.max_body_bytes = 64 * 1024;  // also the bound of one incoming packet
    return l;
  }
  void Configure(server::ServerConfig& c) const override { c.ws_idle_timeout_seconds = 2; }
};

TEST_F(WebSocketTransport, FragmentedRequestWithPingBetweenIsAnswered) {
  const std::string token = Login("alice");
  RawClient ws(server().port());
  const std::string head = ws.Upgrade(token);
  ASSERT_NE(head.find("101"), std::string::npos) << head;
  EXPECT_NE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos);
  EXPECT_NE(head.find("Sec-WebSocket-Protocol: layer-2.0"), std::string::npos);

  const std::string request =
      R"({"type":"request","body":{"method":"Counter.read","request_id":"r1"}})";
  ws.Send(0x1, false, request.substr(0, 20));
  ws.Send(0x9, true, "are you there");  // a control frame between the fragments
  ws.Send(0x0, false, request.substr(20, 15));
  ws.Send(0x0, true, request.substr(35));
  Frame pong = ws.Read();
  EXPECT_EQ(pong.opcode, 0xA);
  EXPECT_EQ(pong.payload, "are you there");
  Frame answer = ws.ReadUntil(0x1);
  ASSERT_EQ(answer.opcode, 0x1) << answer.payload;
  auto v = json::parse(answer.payload);
  EXPECT_EQ(v.at("type").as_string(), "response");
  EXPECT_EQ(v.at("body").at("request_id").as_string(), "r1");
  EXPECT_TRUE(v.at("body").at("success").as_bool());
}

TEST_F(WebSocketTransport, UnmaskedClientFrameIsClosedWithProtocolError) {
  RawClient ws(server().port());
  ASSERT_NE(ws.Upgrade(Login("alice")).find("101"), std::string::npos);
  ws.Send(0x1, true, R"({"type":"request"})", /*mask=*/false);
  Frame close = ws.ReadUntil(0x8);
  ASSERT_EQ(close.opcode, 0x8);
  EXPECT_EQ(CloseCode(close), 1002);
  EXPECT_EQ(ws.Read().opcode, 0xFF);  // and the connection ends
}

TEST_F(WebSocketTransport, OversizeMessageIsClosedWithTooBigBeforeItArrives) {
  RawClient ws(server().port());
  ASSERT_NE(ws.Upgrade(Login("alice")).find("101"), std::string::npos);
  ws.Send(0x1, true, std::string(64 * 1024 + 1, 'x'));
  Frame close = ws.ReadUntil(0x8);
  ASSERT_EQ(close.opcode, 0x8);
  EXPECT_EQ(CloseCode(close), 1009);
  // The server keeps serving others.
  RawClient other(server().port());
  EXPECT_NE(other.Upgrade(Login("bob")).find("101"), std::string::npos);
}

TEST_F(WebSocketTransport, InvalidUtf8TextIsClosedWithInvalidPayload) {
  RawClient ws(server().port());
  ASSERT_NE(ws.Upgrade(Login("alice")).find("101"), std::string::npos);
  ws.Send(0x1, true, "{\"type\":\"\xC0\xAF\"}");
  Frame close = ws.ReadUntil(0x8);
  EXPECT_EQ(CloseCode(close), 1007);
}

TEST_F(WebSocketTransport, WrongVersionIsRefusedWith426) {
  RawClient ws(server().port());
  const std::string head = ws.Upgrade(Login("alice"), "8");
  EXPECT_NE(head.find("426"), std::string::npos) << head;
  EXPECT_NE(head.find("Sec-WebSocket-Version: 13"), std::string::npos) << head;
}

TEST_F(WebSocketTransport, UnknownSessionIsClosedWith4001) {
  RawClient ws(server().port());
  ASSERT_NE(ws.Upgrade("not-a-session").find("101"), std::string::npos);
  Frame close = ws.ReadUntil(0x8);
  ASSERT_EQ(close.opcode, 0x8);
  EXPECT_EQ(CloseCode(close), 4001);
}

TEST_F(WebSocketTransport, ClientCloseIsEchoed) {
  RawClient ws(server().port());
  ASSERT_NE(ws.Upgrade(Login("alice")).find("101"), std::string::npos);
  ws.Send(0x8, true, std::string("\x03\xe8", 2) + "bye");
  Frame close = ws.ReadUntil(0x8);
  ASSERT_EQ(close.opcode, 0x8);
  EXPECT_EQ(CloseCode(close), 1000);
}

TEST_F(WebSocketTransport, SilentConnectionIsPingedThenClosed) {
  RawClient ws(server().port());
  ASSERT_NE(ws.Upgrade(Login("alice")).find("101"), std::string::npos);
  // Idle timeout 2 s: a ping after one silent second or two, the end about a second later.
  Frame ping = ws.Read();
  EXPECT_EQ(ping.opcode, 0x9);
  Frame end = ws.Read();  // never answered: the server gives up and closes (not our timeout)
  EXPECT_EQ(end.opcode, 0xFF);
  EXPECT_EQ(end.payload, asio::error::make_error_code(asio::error::eof).message());
}

}  // namespace
}  // namespace relayer::it
