#include "server/http/response_wire.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <optional>

namespace relayer::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

http::response<http::string_body> ParseBack(const std::string& wire) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  boost::system::error_code ec;
  const size_t used = parser.put(asio::buffer(wire), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(parser.is_done());
  EXPECT_EQ(used, wire.size()) << "bytes after the end of the answer";
  return parser.release();
}

// RFC 9110 8.6: a 204 carries no Content-Length, though prepare_payload() sets one of 0.
TEST(ResponseWire, A204IsItsStatusLineAndTheBlankLineWithoutALength) {
  Response res{http::status::no_content, 11};
  res.keep_alive(true);
  res.prepare_payload();
  std::string wire;
  AppendResponseWire(wire, res);
  EXPECT_EQ(wire, "HTTP/1.1 204 No Content\r\n\r\n");
  // Any other empty answer keeps its length of 0, so that the client knows where it ends.
  Response ok{http::status::ok, 11};
  ok.prepare_payload();
  wire.clear();
  AppendResponseWire(wire, ok);
  EXPECT_EQ(wire, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
}

TEST(ResponseWire, FieldsInTheirOrderAndTheBodyAfterTheBlankLine) {
  Response res{http::status::created, 11};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.set(http::field::location, "/conversations/abc");
  res.set("Layer-Count", "7");
  res.body() = R"({"id":"layer:///conversations/abc"})";
  res.keep_alive(false);
  res.prepare_payload();
  std::string wire = "kept";  // appended to, never replaced
  AppendResponseWire(wire, res);
  ASSERT_EQ(wire.substr(0, 4), "kept");
  EXPECT_EQ(wire.substr(4),
            "HTTP/1.1 201 Created\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            "Location: /conversations/abc\r\n"
            "Layer-Count: 7\r\n"
            "Connection: close\r\n"
            "Content-Length: 35\r\n"
            "\r\n"
            R"({"id":"layer:///conversations/abc"})");
  auto back = ParseBack(wire.substr(4));
  EXPECT_EQ(back.result(), http::status::created);
  EXPECT_EQ(back["Layer-Count"], "7");
  EXPECT_EQ(back.body(), res.body());
  EXPECT_FALSE(back.keep_alive());
}

TEST(ResponseWire, HttpOneZeroAndAnUnknownStatusWithItsOwnReason) {
  Response res{static_cast<http::status>(299), 10};
  res.reason("Fine Really");
  res.body() = "x";
  res.prepare_payload();
  std::string wire;
  AppendResponseWire(wire, res);
  EXPECT_EQ(wire.rfind("HTTP/1.0 299 Fine Really\r\n", 0), 0u) << wire;
  auto back = ParseBack(wire);
  EXPECT_EQ(back.result_int(), 299u);
  EXPECT_EQ(back.version(), 10u);
  EXPECT_EQ(back.body(), "x");
}

// A connected pair on loopback: `server` wrapped in a tcp_stream, `client` plain.
struct Pair {
  asio::io_context io;
  tcp::socket client{io};
  std::optional<boost::beast::tcp_stream> server;
  Pair() {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client.connect(acceptor.local_endpoint());
    server.emplace(acceptor.accept());
  }
  // WriteWire on the server side, its outcome in `result` once it ends (the io context runs it).
  void StartWrite(const std::string& wire, std::chrono::seconds timeout,
                  std::optional<boost::system::error_code>& result) {
    asio::co_spawn(
        io,
        [&, timeout]() -> asio::awaitable<void> {
          result = co_await WriteWire(*server, wire, timeout);
        },
        asio::detached);
  }
};

TEST(ResponseWire, AnAnswerLargerThanTheSocketTakesIsFinishedOnceTheClientReads) {
  Pair p;
  // Far more than the kernel's buffers hold: the first non-blocking write stops part way.
  std::string wire(32 * 1024 * 1024, '\0');
  for (size_t i = 0; i < wire.size(); ++i) wire[i] = static_cast<char>('a' + i % 23);
  std::optional<boost::system::error_code> result;
  p.StartWrite(wire, std::chrono::seconds(20), result);
  // The write cannot have finished before anything is read.
  p.io.run_for(std::chrono::milliseconds(50));
  ASSERT_FALSE(result.has_value());
  std::string got(wire.size(), '\0');
  size_t have = 0;
  std::function<void()> read_more = [&] {
    p.client.async_read_some(asio::buffer(got.data() + have, got.size() - have),
                             [&](boost::system::error_code ec, size_t n) {
                               have += n;
                               if (!ec && have < got.size()) read_more();
                             });
  };
  read_more();
  p.io.run_for(std::chrono::seconds(20));
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(*result) << result->message();
  ASSERT_EQ(have, wire.size());
  EXPECT_TRUE(got == wire);
}

TEST(ResponseWire, AClientThatNeverReadsFailsTheWriteAtTheTimeout) {
  Pair p;
  std::string wire(32 * 1024 * 1024, 'z');
  std::optional<boost::system::error_code> result;
  p.StartWrite(wire, std::chrono::seconds(1), result);
  p.io.run_for(std::chrono::seconds(5));
  ASSERT_TRUE(result.has_value()) << "the write waited past its timeout";
  EXPECT_EQ(*result, boost::beast::error::timeout) << result->message();
}

}  // namespace
}  // namespace relayer::server
