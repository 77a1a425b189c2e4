#include "bench/http_wire.h"

#include <gtest/gtest.h>

#include <string>

namespace relayer::bench {
namespace {

TEST(HttpWire, ReceiptAnswersOfRelayerAndTheRelay) {
  HttpResponseHead head;
  const std::string relayer = "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
  ASSERT_EQ(ParseResponseHead(relayer, head), HttpParse::kDone);
  EXPECT_EQ(head.status, 204u);
  EXPECT_EQ(head.size, relayer.size());
  EXPECT_EQ(head.content_length, 0);
  EXPECT_TRUE(head.NoBody());
  EXPECT_TRUE(head.keep_alive);
  const std::string relay =
      "HTTP/1.1 204 No Content\r\nDate: Wed, 02 Dec 2026 14:54:36 GMT\r\nuWebSockets: 20\r\n\r\n"
      "HTTP/1.1 404 Not Found\r\n";  // and the start of the next answer
  ASSERT_EQ(ParseResponseHead(relay, head), HttpParse::kDone);
  EXPECT_EQ(head.status, 204u);
  EXPECT_EQ(head.size, relay.find("HTTP/1.1 404"));
  EXPECT_EQ(head.content_length, -1);
  EXPECT_EQ(FindHeader(head.headers, "uwebsockets"), "20");
  const std::string error =
      "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nDate: x\r\n"
      "uWebSockets: 20\r\nContent-Length: 57\r\n\r\n";
  ASSERT_EQ(ParseResponseHead(error, head), HttpParse::kDone);
  EXPECT_EQ(head.status, 404u);
  EXPECT_EQ(head.content_length, 57);
  EXPECT_FALSE(head.NoBody());
}

TEST(HttpWire, IncompleteAndMalformedHeads) {
  HttpResponseHead head;
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n";
  for (size_t n = 0; n < ok.size(); ++n) {
    EXPECT_EQ(ParseResponseHead(std::string_view(ok).substr(0, n), head), HttpParse::kIncomplete)
        << n;
  }
  for (std::string_view bad :
       {"SSH-2.0-OpenSSH\r\n", "HTTP/2 200\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"}) {
    EXPECT_EQ(ParseResponseHead(bad, head), HttpParse::kError) << bad;
  }
  ASSERT_EQ(ParseResponseHead("HTTP/1.1 200\r\n\r\n", head), HttpParse::kDone);  // no reason
  EXPECT_EQ(head.status, 200u);
}

TEST(HttpWire, ConnectionPersistence) {
  HttpResponseHead head;
  ASSERT_EQ(ParseResponseHead("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\n\r\n", head),
            HttpParse::kDone);
  EXPECT_FALSE(head.keep_alive);
  ASSERT_EQ(ParseResponseHead("HTTP/1.0 200 OK\r\n\r\n", head), HttpParse::kDone);
  EXPECT_FALSE(head.keep_alive);
  ASSERT_EQ(ParseResponseHead("HTTP/1.0 200 OK\r\nconnection:  Keep-Alive \r\n\r\n", head),
            HttpParse::kDone);
  EXPECT_TRUE(head.keep_alive);
  ASSERT_EQ(ParseResponseHead("HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\n\r\n", head),
            HttpParse::kDone);
  EXPECT_TRUE(head.NoBody());
  EXPECT_TRUE(HeaderHasToken("a, Upgrade ,b", "upgrade"));
  EXPECT_FALSE(HeaderHasToken("upgraded", "upgrade"));
}

TEST(HttpWire, ChunkedBodies) {
  HttpResponseHead head;
  ASSERT_EQ(ParseResponseHead("HTTP/1.1 422 X\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", head),
            HttpParse::kDone);
  EXPECT_TRUE(head.chunked);
  const std::string body = "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
  for (size_t n = 0; n < body.size() - 4; ++n) {
    std::string out = "keep";
    size_t size = 0;
    ASSERT_EQ(ParseChunkedBody(std::string_view(body).substr(0, n), out, size),
              HttpParse::kIncomplete)
        << n;
    ASSERT_EQ(out, "keep");
  }
  std::string out;
  size_t size = 0;
  ASSERT_EQ(ParseChunkedBody(body, out, size), HttpParse::kDone);
  EXPECT_EQ(out, "hello, world");
  EXPECT_EQ(size, body.size() - 4);
  out.clear();
  EXPECT_EQ(ParseChunkedBody("zz\r\n", out, size), HttpParse::kError);
  EXPECT_EQ(ParseChunkedBody("2\r\nabX\r\n", out, size), HttpParse::kError);
}

}  // namespace
}  // namespace relayer::bench
