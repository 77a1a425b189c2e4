#include "server/ws/handshake.h"

#include <gtest/gtest.h>

namespace relayer::server::ws {
namespace {

constexpr std::string_view kRfcKey = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455 section 1.3

UpgradeCheck Check(std::string_view method = "GET", std::string_view upgrade = "websocket",
                   std::string_view connection = "Upgrade", std::string_view version = "13",
                   std::string_view key = kRfcKey) {
  return CheckUpgrade(method, upgrade, connection, version, key);
}

TEST(AcceptKey, MatchesRfc6455Example) {
  EXPECT_EQ(AcceptKey(kRfcKey), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(CheckUpgrade, AcceptsValidRequest) {
  UpgradeCheck c = Check();
  EXPECT_TRUE(c.ok);
  EXPECT_EQ(c.status, 101);
  EXPECT_EQ(c.error, "");
}

TEST(CheckUpgrade, TokensAreCaseInsensitiveAndFoundInLists) {
  EXPECT_TRUE(Check("GET", "WebSocket", "keep-alive, UPGRADE").ok);
  EXPECT_TRUE(Check("GET", "h2c,websocket", "upgrade,keep-alive").ok);
  EXPECT_TRUE(Check("GET", " websocket ", "\tUpgrade").ok);
}

TEST(CheckUpgrade, RejectsOtherMethods) {
  UpgradeCheck c = Check("POST");
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.status, 400);
  EXPECT_EQ(Check("get").status, 400);  // methods are case-sensitive
}

TEST(CheckUpgrade, RejectsUpgradeWithoutWebsocketToken) {
  for (std::string_view upgrade : {"", "h2c", "websockets", "web socket"}) {
    UpgradeCheck c = Check("GET", upgrade);
    EXPECT_FALSE(c.ok) << upgrade;
    EXPECT_EQ(c.status, 400);
    EXPECT_NE(c.error.find("Upgrade"), std::string::npos) << c.error;
  }
}

TEST(CheckUpgrade, RejectsConnectionWithoutUpgradeToken) {
  for (std::string_view connection : {"", "keep-alive", "upgraded", "keep-alive upgrade"}) {
    UpgradeCheck c = Check("GET", "websocket", connection);
    EXPECT_FALSE(c.ok) << connection;
    EXPECT_EQ(c.status, 400);
  }
}

TEST(CheckUpgrade, OtherVersionsGet426NamingVersion13) {
  for (std::string_view version : {"", "8", "12", "14", "13, 8"}) {
    UpgradeCheck c = Check("GET", "websocket", "Upgrade", version);
    EXPECT_FALSE(c.ok) << version;
    EXPECT_EQ(c.status, 426);
    EXPECT_NE(c.error.find("13"), std::string::npos) << c.error;
  }
}

TEST(CheckUpgrade, RejectsKeyThatIsNotBase64OfSixteenBytes) {
  for (std::string_view key : {"", "not base64!!", "AAAAAAAAAAAAAAAAAAAA",  // 15 bytes
                               "AAAAAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAAAAAAA"}) {  // 17, 18
    UpgradeCheck c = Check("GET", "websocket", "Upgrade", "13", key);
    EXPECT_FALSE(c.ok) << key;
    EXPECT_EQ(c.status, 400);
  }
  EXPECT_TRUE(Check("GET", "websocket", "Upgrade", "13", "AAAAAAAAAAAAAAAAAAAAAA==").ok);
}

TEST(SwitchingProtocolsResponse, IsCompleteResponseWithAcceptKey) {
  EXPECT_EQ(SwitchingProtocolsResponse(kRfcKey, ""),
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "Server: relayer\r\n"
            "\r\n");
}

TEST(SwitchingProtocolsResponse, NamesTheChosenProtocol) {
  EXPECT_EQ(SwitchingProtocolsResponse(kRfcKey, "layer-2.0"),
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "Server: relayer\r\n"
            "Sec-WebSocket-Protocol: layer-2.0\r\n"
            "\r\n");
}

}  // namespace
}  // namespace relayer::server::ws
