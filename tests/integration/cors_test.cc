// CORS for the Web SDK in browsers: echoed Origin with credentials, preflights on every route.
#include <algorithm>
#include <cctype>

#include "integration/test_server.h"

namespace relayer::it {
namespace {

constexpr const char* kOrigin = "https://chat.example.com";

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// True when the comma-separated header value lists `item` (case-insensitive).
bool Lists(const std::string& header, const std::string& item) {
  std::string h = Lower(header);
  std::string want = Lower(item);
  size_t start = 0;
  while (start <= h.size()) {
    size_t end = h.find(',', start);
    if (end == std::string::npos) end = h.size();
    std::string token = h.substr(start, end - start);
    token.erase(0, token.find_first_not_of(' '));
    token.erase(token.find_last_not_of(' ') + 1);
    if (token == want) return true;
    start = end + 1;
  }
  return false;
}

class Cors : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    alice_ = Login("alice");
    conv_ = CreateConversation(alice_, {"bob"});
  }
  void ExpectCorsFor(const HttpResult& r, const std::string& origin, const std::string& what) {
    EXPECT_EQ(r.Header("Access-Control-Allow-Origin"), origin) << what;
    EXPECT_EQ(r.Header("Access-Control-Allow-Credentials"), "true") << what;
    EXPECT_TRUE(Lists(r.Header("Vary"), "Origin")) << what << ": Vary=" << r.Header("Vary");
  }
  std::string alice_, conv_;
};

TEST_F(Cors, AnswersEchoOriginWithCredentialsAndExposeLayerCount) {
  auto r = Call("GET", "/conversations", alice_, std::nullopt, {{"Origin", kOrigin}});
  ASSERT_EQ(r.status, 200) << Describe(r);
  ExpectCorsFor(r, kOrigin, "list");
  std::string expose = r.Header("Access-Control-Expose-Headers");
  EXPECT_TRUE(Lists(expose, "Layer-Count")) << expose;
  EXPECT_TRUE(Lists(expose, "Location")) << expose;
  EXPECT_TRUE(Lists(expose, "Link")) << expose;
  EXPECT_NE(r.Header("Access-Control-Allow-Origin"), "*");
}

TEST_F(Cors, ErrorAnswersCarryCorsToo) {
  // The SDK must read the 401's nonce from a browser: the error needs the CORS headers.
  auto unauth = Call("GET", "/conversations", "bad-token", std::nullopt, {{"Origin", kOrigin}});
  ASSERT_EQ(unauth.status, 401);
  ExpectCorsFor(unauth, kOrigin, "401");
  auto missing = Call("GET", "/conversations/" + server::RandomUuid(), alice_, std::nullopt,
                      {{"Origin", kOrigin}});
  ASSERT_EQ(missing.status, 404);
  ExpectCorsFor(missing, kOrigin, "404");
  auto no_accept = client().Send("POST", "/nonces", {{"Origin", kOrigin}});
  ASSERT_EQ(no_accept.status, 406);
  ExpectCorsFor(no_accept, kOrigin, "406");
  auto created = Call("POST", "/nonces", "", std::nullopt, {{"Origin", kOrigin}});
  ASSERT_EQ(created.status, 201);
  ExpectCorsFor(created, kOrigin, "201");
}

TEST_F(Cors, NoOriginNoCorsHeaders) {
  auto r = Get(alice_, "/conversations");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.HasHeader("Access-Control-Allow-Origin"));
}

TEST_F(Cors, PreflightOfEveryRouteAllowsAskedMethodAndHeaders) {
  const std::string asked =
      "accept, content-type, authorization, client-id, layer-xdk-version, upload-content-type";
  const std::pair<const char*, std::string> routes[] = {
      {"POST", "/nonces"},
      {"POST", "/sessions"},
      {"DELETE", "/sessions/abc"},
      {"GET", "/identities/alice"},
      {"GET", "/conversations"},
      {"POST", "/conversations"},
      {"GET", "/conversations/" + conv_},
      {"PATCH", "/conversations/" + conv_},
      {"DELETE", "/conversations/" + conv_},
      {"POST", "/conversations/" + conv_ + "/mark_all_read"},
      {"POST", "/conversations/" + conv_ + "/messages"},
      {"GET", "/conversations/" + conv_ + "/messages"},
      {"GET", "/messages/" + server::RandomUuid()},
      {"DELETE", "/messages/" + server::RandomUuid()},
      {"POST", "/messages/" + server::RandomUuid() + "/receipts"},
      {"HEAD", "/ping"},
  };
  for (const auto& [method, target] : routes) {
    // Browsers send preflights without Accept or Authorization.
    auto r = client().Send("OPTIONS", target,
                           {{"Origin", kOrigin},
                            {"Access-Control-Request-Method", method},
                            {"Access-Control-Request-Headers", asked}});
    std::string what = std::string("OPTIONS ") + target + " for " + method;
    EXPECT_GE(r.status, 200) << what << ": " << Describe(r);
    EXPECT_LT(r.status, 300) << what << ": " << Describe(r);
    ExpectCorsFor(r, kOrigin, what);
    EXPECT_TRUE(Lists(r.Header("Access-Control-Allow-Methods"), method))
        << what << ": " << r.Header("Access-Control-Allow-Methods");
    std::string allowed = r.Header("Access-Control-Allow-Headers");
    for (const char* h : {"accept", "content-type", "authorization", "client-id",
                          "layer-xdk-version", "upload-content-type"}) {
      EXPECT_TRUE(Lists(allowed, h) || allowed == "*") << what << " lacks " << h << ": " << allowed;
    }
  }
}

TEST_F(Cors, PreflightWithoutAskedHeadersAllowsTheSdksHeaders) {
  auto r = client().Send("OPTIONS", "/conversations",
                         {{"Origin", kOrigin}, {"Access-Control-Request-Method", "POST"}});
  ASSERT_GE(r.status, 200);
  ASSERT_LT(r.status, 300);
  std::string allowed = r.Header("Access-Control-Allow-Headers");
  for (const char* h : {"accept", "content-type", "authorization", "client-id"}) {
    EXPECT_TRUE(Lists(allowed, h)) << h << ": " << allowed;
  }
}

class CorsRestricted : public ApiTest {
 protected:
  void Configure(server::ServerConfig& c) const override {
    c.cors_origins = {"https://allowed.example.com"};
  }
};

TEST_F(CorsRestricted, OnlyConfiguredOriginsAreEchoed) {
  std::string token = Login("alice");
  auto allowed = Call("GET", "/conversations", token, std::nullopt,
                      {{"Origin", "https://allowed.example.com"}});
  ASSERT_EQ(allowed.status, 200);
  EXPECT_EQ(allowed.Header("Access-Control-Allow-Origin"), "https://allowed.example.com");
  EXPECT_EQ(allowed.Header("Access-Control-Allow-Credentials"), "true");
  auto other =
      Call("GET", "/conversations", token, std::nullopt, {{"Origin", "https://evil.example.com"}});
  EXPECT_FALSE(other.HasHeader("Access-Control-Allow-Origin"))
      << other.Header("Access-Control-Allow-Origin");
  EXPECT_FALSE(other.HasHeader("Access-Control-Allow-Credentials"));
  auto preflight = client().Send(
      "OPTIONS", "/conversations",
      {{"Origin", "https://evil.example.com"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_FALSE(preflight.HasHeader("Access-Control-Allow-Origin"));
}

}  // namespace
}  // namespace relayer::it
