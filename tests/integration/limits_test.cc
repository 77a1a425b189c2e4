// Every configurable limit, proven with a small configured value: at the limit is fine, one over
// gets a clear error, and the server keeps serving.
#include "integration/test_server.h"

namespace relayer::it {
namespace {

class Limits : public ApiTest {
 protected:
  relayer::Limits TestLimits() const override {
    relayer::Limits l;
    l.max_body_bytes = 4096;
    l.max_inline_part_bytes = 100;
    l.max_parts_per_message = 3;
    l.max_message_bytes = 250;
    l.max_participants = 4;
    l.max_page_size = 3;
    l.default_page_size = 2;
    l.max_metadata_bytes = 64;
    l.max_user_id_bytes = 16;
    l.max_display_name = 10;
    return l;
  }
  void SetUp() override {
    ApiTest::SetUp();
    alice_ = Login("alice");
    conv_ = CreateConversation(alice_, {"bob"});
  }
  static std::string Parts(const std::vector<size_t>& sizes) {
    json::array parts;
    for (size_t n : sizes)
      parts.push_back(json::object{{"mime_type", "text/plain"}, {"body", std::string(n, 'x')}});
    return json::serialize(json::object{{"parts", parts}});
  }
  HttpResult Send(const std::string& body) {
    return Post(alice_, "/conversations/" + conv_ + "/messages", body);
  }
  std::string alice_, conv_;
};

TEST_F(Limits, BodyOverConfiguredLimitIs413AndServerKeepsServing) {
  // A body just under the limit reaches the handler (and fails there for its own reasons).
  std::string under =
      R"({"participants":["bob"],"metadata":{"k":")" + std::string(3900, 'a') + "\"}}";
  ASSERT_LT(under.size(), 4096u);
  auto ok = Post(alice_, "/conversations", under);
  EXPECT_NE(ok.status, 413) << Describe(ok);
  std::string over =
      R"({"participants":["bob"],"metadata":{"k":")" + std::string(5000, 'a') + "\"}}";
  auto r = Post(alice_, "/conversations", over);
  EXPECT_EQ(r.status, 413) << Describe(r);
  EXPECT_EQ(r.ErrorId(), "request_entity_too_large") << Describe(r);
  EXPECT_NE(r.Str("message").find("4096"), std::string::npos) << r.Str("message");
  // The same client (reconnecting as needed) and a new one both get served.
  EXPECT_EQ(Get(alice_, "/conversations/" + conv_).status, 200);
  HttpClient other(server().port());
  auto ping = other.Send("HEAD", "/ping");
  EXPECT_TRUE(ping.status == 200 || ping.status == 204) << Describe(ping);
}

TEST_F(Limits, DeclaredContentLengthOverLimitIsRefusedUpFront) {
  std::string answer = RawExchange(
      server().port(), "POST /nonces HTTP/1.1\r\nHost: x\r\nAccept: " + std::string(kAccept) +
                           "\r\nContent-Length: 100000000\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer.substr(0, 300);
  EXPECT_EQ(Get(alice_, "/conversations/" + conv_).status, 200);
}

TEST_F(Limits, PartSizeLimit) {
  EXPECT_EQ(Send(Parts({100})).status, 201);
  auto r = Send(Parts({101}));
  EXPECT_EQ(r.status, 422) << Describe(r);
  EXPECT_EQ(r.ErrorId(), "invalid_property");
  EXPECT_NE(r.Str("message").find("100"), std::string::npos) << r.Str("message");
}

TEST_F(Limits, PartsPerMessageLimit) {
  EXPECT_EQ(Send(Parts({1, 1, 1})).status, 201);
  auto r = Send(Parts({1, 1, 1, 1}));
  EXPECT_EQ(r.status, 422) << Describe(r);
  EXPECT_EQ(r.ErrorId(), "invalid_property");
}

TEST_F(Limits, MessageSizeLimitCountsAllParts) {
  EXPECT_EQ(Send(Parts({100, 100})).status, 201);
  auto r = Send(Parts({100, 100, 100}));
  EXPECT_EQ(r.status, 422) << Describe(r);
  EXPECT_EQ(r.ErrorId(), "invalid_property");
  EXPECT_EQ(GetConversation(alice_, conv_)["total_message_count"], 1);
}

TEST_F(Limits, ParticipantLimitOnCreateCountsTheCreator) {
  auto four = Post(alice_, "/conversations", R"({"participants":["b","c","d"],"distinct":false})");
  EXPECT_EQ(four.status, 201) << Describe(four);
  auto five =
      Post(alice_, "/conversations", R"({"participants":["b","c","d","e"],"distinct":false})");
  EXPECT_EQ(five.status, 422) << Describe(five);
  EXPECT_EQ(five.ErrorId(), "invalid_property");
  auto many = Post(alice_, "/conversations",
                   R"({"participants":["b","c","d","e","f","g"],"distinct":false})");
  EXPECT_EQ(many.status, 422) << Describe(many);
  EXPECT_EQ(Get(alice_, "/conversations").Header("Layer-Count"), "2");
}

TEST_F(Limits, ParticipantLimitOnPatch) {
  std::string conv = CreateConversation(alice_, {"b", "c"});
  auto fourth = Patch(alice_, "/conversations/" + conv,
                      R"([{"operation":"add","property":"participants","id":"d"}])");
  EXPECT_EQ(fourth.status, 204) << Describe(fourth);
  auto fifth = Patch(alice_, "/conversations/" + conv,
                     R"([{"operation":"add","property":"participants","id":"e"}])");
  EXPECT_EQ(fifth.status, 422) << Describe(fifth);
  auto set =
      Patch(alice_, "/conversations/" + conv,
            R"([{"operation":"set","property":"participants","value":["alice","b","c","d","e"]}])");
  EXPECT_EQ(set.status, 422) << Describe(set);
  EXPECT_EQ(GetConversation(alice_, conv)["participants"].as_array().size(), 4u);
}

TEST_F(Limits, PageSizeDefaultAndMaximum) {
  for (int i = 0; i < 4; ++i) CreateConversation(alice_, {"bob"}, false);  // 5 with conv_
  for (int i = 0; i < 5; ++i) SendText(alice_, conv_, "m");
  auto def = Get(alice_, "/conversations");
  EXPECT_EQ(def.Array().size(), 2u);
  EXPECT_EQ(def.Header("Layer-Count"), "5");
  auto big = Get(alice_, "/conversations?page_size=50");
  EXPECT_EQ(big.status, 200) << Describe(big);
  EXPECT_EQ(big.Array().size(), 3u);
  auto msgs = Get(alice_, "/conversations/" + conv_ + "/messages");
  EXPECT_EQ(msgs.Array().size(), 2u);
  EXPECT_EQ(msgs.Header("Layer-Count"), "5");
  auto big_msgs = Get(alice_, "/conversations/" + conv_ + "/messages?page_size=50");
  EXPECT_EQ(big_msgs.Array().size(), 3u);
}

TEST_F(Limits, MetadataSizeLimitOnCreateAndPatch) {
  auto big = Post(alice_, "/conversations",
                  R"({"participants":["bob"],"distinct":false,"metadata":{"k":")" +
                      std::string(80, 'a') + "\"}}");
  EXPECT_EQ(big.status, 422) << Describe(big);
  EXPECT_EQ(big.ErrorId(), "invalid_property");
  std::string conv = CreateConversation(alice_, {"bob"}, false, R"({"k":"small"})");
  auto grow = Patch(alice_, "/conversations/" + conv,
                    R"([{"operation":"set","property":"metadata.more","value":")" +
                        std::string(80, 'b') + "\"}]");
  EXPECT_EQ(grow.status, 422) << Describe(grow);
  EXPECT_EQ(GetConversation(alice_, conv)["metadata"], json::parse(R"({"k":"small"})"));
}

TEST_F(Limits, UserIdLengthLimit) {
  auto nonce = NewNonce();
  auto r = StartSession(SignToken(ValidClaims(server(), std::string(17, 'u'), nonce)));
  EXPECT_EQ(r.status, 422) << Describe(r);
  EXPECT_FALSE(Login(std::string(16, 'u')).empty());
  auto conv =
      Post(alice_, "/conversations", R"({"participants":[")" + std::string(17, 'u') + R"("]})");
  EXPECT_EQ(conv.status, 422) << Describe(conv);
  auto patch = Patch(
      alice_, "/conversations/" + conv_,
      R"([{"operation":"add","property":"participants","id":")" + std::string(17, 'u') + R"("}])");
  EXPECT_EQ(patch.status, 422) << Describe(patch);
}

TEST_F(Limits, DisplayNameLengthLimit) {
  auto long_name = ValidClaims(server(), "dana", NewNonce());
  long_name.display_name = std::string(11, 'n');
  auto r = StartSession(SignToken(long_name));
  EXPECT_EQ(r.status, 422) << Describe(r);
  std::string token =
      Login("dana", [](server::IdentityClaims& c) { c.display_name = std::string(10, 'n'); });
  EXPECT_EQ(Get(token, "/identities/dana").Str("display_name"), std::string(10, 'n'));
}

}  // namespace
}  // namespace relayer::it
