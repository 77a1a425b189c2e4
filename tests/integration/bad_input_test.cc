// Hostile and broken input: each gets the right Layer error, and the server keeps serving.
#include "integration/test_server.h"

namespace relayer::it {
namespace {

class BadInput : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    alice_ = Login("alice");
    conv_ = CreateConversation(alice_, {"bob"});
  }
  // Every error is a complete Layer error object with a matching code and status.
  void ExpectError(const HttpResult& r, int status, const std::string& id,
                   const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << Describe(r);
    EXPECT_EQ(r.ErrorId(), id) << what << ": " << Describe(r);
    ASSERT_TRUE(r.json.is_object()) << what << ": " << Describe(r);
    const auto& o = r.json.as_object();
    for (const char* key : {"id", "code", "message", "url", "data"}) {
      EXPECT_TRUE(o.contains(key)) << what << " lacks " << key << ": " << r.body;
    }
    EXPECT_TRUE(o.contains("code") && o.at("code").is_int64()) << what;
    EXPECT_TRUE(o.contains("message") && o.at("message").is_string() &&
                !o.at("message").as_string().empty())
        << what;
    EXPECT_NE(r.Header("Content-Type").find("json"), std::string::npos) << what;
  }
  // The server still answers a good request afterwards.
  void ExpectStillServing() {
    HttpClient fresh(server().port());
    auto r = fresh.Send("GET", "/conversations/" + conv_,
                        {{"Accept", std::string(kAccept)},
                         {"Authorization", "Layer session-token=\"" + alice_ + "\""}});
    EXPECT_EQ(r.status, 200) << Describe(r);
    auto again = Get(alice_, "/conversations/" + conv_);
    EXPECT_EQ(again.status, 200) << Describe(again);
  }
  std::string alice_, conv_;
};

TEST_F(BadInput, MissingOrWrongAcceptIsNotAcceptable) {
  const std::pair<std::string, std::optional<std::string>> cases[] = {
      {"no Accept", std::nullopt},
      {"version 1.0", "application/vnd.layer+json; version=1.0"},
      {"version 3.0", "application/vnd.layer+json; version=3.0"},
      {"no version", "application/vnd.layer+json"},
      {"plain json", "application/json"},
      {"anything", "*/*"},
  };
  for (const auto& [what, accept] : cases) {
    Headers h{{"Authorization", "Layer session-token=\"" + alice_ + "\""}};
    if (accept) h.emplace_back("Accept", *accept);
    auto r = client().Send("GET", "/conversations", h);
    ExpectError(r, 406, "invalid_header", what);
    EXPECT_EQ(r.Code(), 107) << what;
    auto nonce = client().Send("POST", "/nonces", h);
    EXPECT_EQ(nonce.status, 406) << what << " on /nonces: " << Describe(nonce);
  }
  auto ok = client().Send("GET", "/conversations",
                          {{"Authorization", "Layer session-token=\"" + alice_ + "\""},
                           {"Accept", "application/vnd.layer+json; version=2.0"}});
  EXPECT_EQ(ok.status, 200) << Describe(ok);
  ExpectStillServing();
}

TEST_F(BadInput, MalformedJsonIsInvalidRequest) {
  const char* bodies[] = {"{",
                          "{\"participants\":",
                          "not json",
                          "{\"participants\":[\"bob\",]}",
                          "{} trailing",
                          "\xff\xfe{}",
                          "[\"participants\"]",
                          "\"string\"",
                          "42",
                          "null"};
  for (const char* body : bodies) {
    ExpectError(Post(alice_, "/conversations", body), 400, "invalid_request", body);
    ExpectError(Post(alice_, "/conversations/" + conv_ + "/messages", body), 400, "invalid_request",
                body);
  }
  ExpectError(Post(alice_, "/conversations", ""), 400, "invalid_request", "empty body");
  ExpectError(Post(alice_, "/sessions", "{oops"), 400, "invalid_request", "sessions body");
  ExpectError(Patch(alice_, "/conversations/" + conv_, "[{"), 400, "invalid_request", "patch body");
  ExpectStillServing();
}

TEST_F(BadInput, DeeplyNestedJsonIsRejectedWithoutCrashing) {
  std::string deep = R"({"participants":["bob"],"metadata":)" + std::string(5000, '[') +
                     std::string(5000, ']') + "}";
  auto r = Post(alice_, "/conversations", deep);
  EXPECT_EQ(r.status, 400) << Describe(r);
  std::string deep_md = R"({"participants":["bob"],"metadata":)";
  for (int i = 0; i < 3000; ++i) deep_md += "{\"a\":";
  deep_md += "\"x\"" + std::string(3000, '}') + "}";
  auto r2 = Post(alice_, "/conversations", deep_md);
  EXPECT_GE(r2.status, 400) << Describe(r2);
  EXPECT_LT(r2.status, 500) << Describe(r2);
  ExpectStillServing();
}

TEST_F(BadInput, WrongTypesAreInvalidProperty) {
  const char* bodies[] = {
      R"({"participants":"bob"})",
      R"({"participants":[1,2]})",
      R"({"participants":[null]})",
      R"({"participants":[{"id":"bob"}]})",
      R"({"participants":[""]})",
      R"({"participants":["layer:///identities/"]})",
      R"({"participants":["bob"],"distinct":"yes"})",
      R"({"participants":["bob"],"metadata":"title"})",
      R"({"participants":["bob"],"metadata":{"n":1}})",
      R"({"participants":["bob"],"metadata":{"a":["x"]}})",
      R"({"participants":["bob"],"id":42})",
      R"({"participants":["bob"],"id":"layer:///conversations/not-a-uuid"})",
      R"({"participants":["bob"],"id":"layer:///messages/)"
      "0b6f5b0e-9d4c-4a8e-8d43-4f1e1b2c3d4e"
      R"("})",
  };
  for (const char* body : bodies) {
    ExpectError(Post(alice_, "/conversations", body), 422, "invalid_property", body);
  }
  ExpectError(Post(alice_, "/conversations", "{}"), 422, "missing_property", "no participants");
  ExpectError(Post(alice_, "/conversations/" + conv_ + "/mark_all_read", R"({"position":"1"})"),
              422, "invalid_property", "position as a string");
  EXPECT_EQ(Get(alice_, "/conversations").Array().size(), 1u);
  ExpectStillServing();
}

TEST_F(BadInput, UnknownFieldsAreRejected) {
  ExpectError(Post(alice_, "/conversations", R"({"participants":["bob"],"colour":"red"})"), 422,
              "invalid_property", "conversation create");
  ExpectError(Post(alice_, "/conversations/" + conv_ + "/mark_all_read", R"({"upto":1})"), 422,
              "invalid_property", "mark_all_read");
  auto token = SignToken(ValidClaims(server(), "alice", NewNonce()));
  ExpectError(Post("", "/sessions",
                   R"({"identity_token":")" + token + R"(","app_id":")" + server().app_id() +
                       R"(","extra":1})"),
              422, "invalid_property", "sessions");
  ExpectStillServing();
}

TEST_F(BadInput, BadIdsAndQueryParameters) {
  ExpectError(Get(alice_, "/conversations/not-a-uuid"), 404, "not_found", "conversation id");
  ExpectError(Get(alice_, "/conversations/" + conv_ + "x"), 404, "not_found", "uuid with suffix");
  ExpectError(Get(alice_, "/messages/12345"), 404, "not_found", "message id");
  ExpectError(Get(alice_, "/conversations/not-a-uuid/messages"), 404, "not_found",
              "messages of bad id");
  ExpectError(Post(alice_, "/messages/nope/receipts", R"({"type":"read"})"), 404, "not_found",
              "receipt on bad id");
  ExpectError(Patch(alice_, "/conversations/nope", "[]"), 404, "not_found", "patch bad id");
  ExpectError(Delete(alice_, "/messages/nope?mode=all_participants"), 404, "not_found",
              "delete bad message id");
  ExpectError(Get(alice_, "/conversations/%ZZ"), 400, "invalid_request", "bad percent-encoding");
  ExpectError(Get(alice_, "/conversations?page_size=0"), 422, "invalid_property", "page_size 0");
  ExpectError(Get(alice_, "/conversations?page_size=-3"), 422, "invalid_property", "page_size -3");
  ExpectError(Get(alice_, "/conversations?page_size=ten"), 422, "invalid_property",
              "page_size ten");
  ExpectError(Get(alice_, "/conversations?page_size=99999999999999999999"), 422, "invalid_property",
              "page_size huge");
  ExpectError(Get(alice_, "/conversations?from_id=garbage"), 422, "invalid_property", "from_id");
  ExpectError(Get(alice_, "/conversations/" + conv_ + "/messages?from_id=layer:///messages/x"), 422,
              "invalid_property", "messages from_id");
  ExpectError(Get(alice_, "/conversations?sort_by=title"), 422, "invalid_property", "sort_by");
  ExpectStillServing();
}

TEST_F(BadInput, UnknownEndpointsAndMethods) {
  auto r = Get(alice_, "/no/such/endpoint");
  ExpectError(r, 404, "invalid_endpoint", "unknown path");
  EXPECT_EQ(r.Code(), 106);
  auto m = Call("PUT", "/conversations/" + conv_, alice_, "{}");
  ExpectError(m, 405, "method_not_allowed", "PUT on a conversation");
  EXPECT_EQ(m.Code(), 109);
  auto odd = Call("BREW", "/conversations", alice_);
  EXPECT_GE(odd.status, 400) << Describe(odd);
  EXPECT_LT(odd.status, 500) << Describe(odd);
  ExpectStillServing();
}

TEST_F(BadInput, MalformedHttpGetsAnErrorAndServerKeepsServing) {
  std::string garbage = RawExchange(server().port(), "THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage;
  std::string bad_length = RawExchange(
      server().port(), "POST /nonces HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
  EXPECT_EQ(bad_length.rfind("HTTP/1.1 400", 0), 0u) << bad_length;
  std::string huge_header = RawExchange(
      server().port(),
      "GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
  EXPECT_EQ(huge_header.rfind("HTTP/1.1 4", 0), 0u) << huge_header.substr(0, 200);
  // A client that connects and says nothing, or hangs up mid-request, harms nobody else.
  RawExchange(server().port(), "");
  RawExchange(server().port(), "POST /conversations HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"par");
  ExpectStillServing();
}

TEST_F(BadInput, BadSessionTokensGet401) {
  for (const std::string& token :
       {std::string("x"), std::string(5000, 'a'), std::string("../../etc/passwd"),
        std::string("' OR 1=1 --"), alice_ + "x"}) {
    auto r = Get(token, "/conversations");
    ExpectError(r, 401, "authentication_required", "token " + token.substr(0, 20));
  }
  ExpectStillServing();
}

TEST_F(BadInput, HostileStringsAreStoredVerbatim) {
  const std::string nasty = "'; DROP TABLE messages; -- \"\\ <script> \xe2\x9c\x93";
  json::object part{{"mime_type", "text/plain"}, {"body", nasty}};
  auto r = Post(alice_, "/conversations/" + conv_ + "/messages",
                json::serialize(json::object{{"parts", json::array{part}}}));
  ASSERT_EQ(r.status, 201) << Describe(r);
  auto m = GetMessage(alice_, Uuid(r.Str("id")));
  EXPECT_EQ(m["parts"].as_array()[0].as_object().at("body"), nasty.c_str());
  auto md = Patch(alice_, "/conversations/" + conv_,
                  json::serialize(json::array{json::object{
                      {"operation", "set"}, {"property", "metadata.k"}, {"value", nasty}}}));
  EXPECT_EQ(md.status, 204) << Describe(md);
  EXPECT_EQ(GetConversation(alice_, conv_)["metadata"].as_object().at("k"), nasty.c_str());
  ExpectStillServing();
}

}  // namespace
}  // namespace relayer::it
