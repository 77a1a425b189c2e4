// POST/GET/DELETE messages: parts, MIME types, base64, inline size, notification, positions,
// paging.
#include "integration/test_server.h"

namespace relayer::it {
namespace {

class Messages : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    alice_ = Login("alice", [](server::IdentityClaims& c) { c.display_name = "Alice"; });
    bob_ = Login("bob");
    conv_ = CreateConversation(alice_, {"bob"});
  }
  HttpResult PostMessage(const std::string& token, const std::string& body,
                         const std::string& conv = "") {
    return Post(token, "/conversations/" + (conv.empty() ? conv_ : conv) + "/messages", body);
  }
  static std::string OnePart(const std::string& mime, const std::string& body,
                             const std::string& encoding = "") {
    json::object part{{"mime_type", mime}, {"body", body}};
    if (!encoding.empty()) part["encoding"] = encoding;
    return json::serialize(json::object{{"parts", json::array{part}}});
  }
  std::vector<json::object> List(const std::string& token, const std::string& query,
                                 HttpResult* out = nullptr) {
    auto r = Get(token, "/conversations/" + conv_ + "/messages" + query);
    EXPECT_EQ(r.status, 200) << Describe(r);
    std::vector<json::object> v;
    for (const auto& m : r.Array()) v.push_back(m.as_object());
    if (out) *out = r;
    return v;
  }
  std::string alice_, bob_, conv_;
};

TEST_F(Messages, SendAnswersFullMessageObject) {
  auto r = PostMessage(alice_, OnePart("text/plain", "hello bob"));
  ASSERT_EQ(r.status, 201) << Describe(r);
  std::string id = r.Str("id");
  ASSERT_EQ(id.rfind("layer:///messages/", 0), 0u) << id;
  std::string base = "http://127.0.0.1:" + std::to_string(server().port());
  EXPECT_EQ(r.Str("url"), base + "/messages/" + Uuid(id));
  EXPECT_EQ(r.Str("receipts_url"), r.Str("url") + "/receipts");
  EXPECT_EQ(r.Header("Location"), r.Str("url"));
  EXPECT_EQ(r.At("position"), 1);
  EXPECT_EQ(r.At("conversation").as_object().at("id"), ("layer:///conversations/" + conv_).c_str());
  const auto& parts = r.At("parts").as_array();
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].as_object().at("id"), (id + "/parts/0").c_str());
  EXPECT_EQ(parts[0].as_object().at("mime_type"), "text/plain");
  EXPECT_EQ(parts[0].as_object().at("body"), "hello bob");
  EXPECT_FALSE(r.Str("sent_at").empty());
  const auto& sender = r.At("sender").as_object();
  EXPECT_EQ(sender.at("user_id"), "alice");
  EXPECT_EQ(sender.at("id"), "layer:///identities/alice");
  EXPECT_EQ(r.At("is_unread"), false);
  const auto& status = r.At("recipient_status").as_object();
  EXPECT_EQ(status.at("layer:///identities/alice"), "read");
  EXPECT_EQ(status.at("layer:///identities/bob"), "sent");
  // Bob reads the same message, unread for him.
  auto for_bob = GetMessage(bob_, Uuid(id));
  EXPECT_EQ(for_bob["is_unread"], true);
  EXPECT_EQ(for_bob["parts"].as_array()[0].as_object().at("body"), "hello bob");
}

TEST_F(Messages, AnyTypeSubtypeMimeIsAccepted) {
  for (const char* mime :
       {"text/plain", "application/json", "image/png", "application/vnd.example.card+json",
        "text/plain; charset=utf-8", "application/x-custom"}) {
    auto r = PostMessage(alice_, OnePart(mime, "x"));
    EXPECT_EQ(r.status, 201) << mime << " -> " << Describe(r);
    if (r.status == 201) {
      EXPECT_EQ(r.At("parts").as_array()[0].as_object().at("mime_type"), mime);
    }
  }
}

TEST_F(Messages, MimeTypeWithoutSlashIsRejected) {
  for (const char* mime : {"textplain", "", "text/", "/plain"}) {
    auto r = PostMessage(alice_, OnePart(mime, "x"));
    EXPECT_EQ(r.status, 422) << "'" << mime << "' -> " << Describe(r);
    EXPECT_EQ(r.ErrorId(), "invalid_property") << mime;
  }
  EXPECT_EQ(GetConversation(alice_, conv_)["total_message_count"], 0);
}

TEST_F(Messages, MultiplePartsKeepOrderAndIds) {
  auto r = PostMessage(alice_, R"({"parts":[
      {"mime_type":"text/plain","body":"caption"},
      {"mime_type":"application/json","body":"{\"k\":1}"},
      {"mime_type":"text/plain","body":"héllo ✓"}]})");
  ASSERT_EQ(r.status, 201) << Describe(r);
  auto msg = GetMessage(bob_, Uuid(r.Str("id")));
  const auto& parts = msg["parts"].as_array();
  ASSERT_EQ(parts.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(parts[i].as_object().at("id"), (r.Str("id") + "/parts/" + std::to_string(i)).c_str());
  }
  EXPECT_EQ(parts[1].as_object().at("body"), "{\"k\":1}");
  EXPECT_EQ(parts[2].as_object().at("body"), "héllo ✓");
}

TEST_F(Messages, Base64BodyIsStoredWithItsEncoding) {
  std::string bytes("\x89PNG\r\n\x1a\n\x00\x01\xff", 11);
  std::string b64 = server::Base64Encode(bytes);
  auto r = PostMessage(alice_, OnePart("image/png", b64, "base64"));
  ASSERT_EQ(r.status, 201) << Describe(r);
  auto msg = GetMessage(bob_, Uuid(r.Str("id")));
  const auto& part = msg["parts"].as_array()[0].as_object();
  EXPECT_EQ(part.at("encoding"), "base64");
  EXPECT_EQ(part.at("body"), b64.c_str());
  auto decoded = server::Base64Decode(std::string(part.at("body").as_string()));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, bytes);
}

TEST_F(Messages, InvalidBase64OrUnknownEncodingIsRejected) {
  auto bad = PostMessage(alice_, OnePart("image/png", "not base64!!", "base64"));
  EXPECT_EQ(bad.status, 422) << Describe(bad);
  EXPECT_EQ(bad.ErrorId(), "invalid_property");
  auto unknown = PostMessage(alice_, OnePart("text/plain", "x", "gzip"));
  EXPECT_EQ(unknown.status, 422) << Describe(unknown);
  EXPECT_EQ(GetConversation(alice_, conv_)["total_message_count"], 0);
}

TEST_F(Messages, InlineBodyUpTo2KBIsAcceptedLargerGetsClearError) {
  auto ok = PostMessage(alice_, OnePart("text/plain", std::string(2048, 'a')));
  EXPECT_EQ(ok.status, 201) << Describe(ok);
  auto big = PostMessage(alice_, OnePart("text/plain", std::string(2049, 'a')));
  ASSERT_EQ(big.status, 422) << Describe(big);
  EXPECT_EQ(big.ErrorId(), "invalid_property");
  EXPECT_NE(big.Str("message").find("2048"), std::string::npos) << big.Str("message");
  // Base64 counts decoded bytes: 2048 bytes encode to 2732 characters and still fit.
  auto b64_ok =
      PostMessage(alice_, OnePart("application/octet-stream",
                                  server::Base64Encode(std::string(2048, '\x01')), "base64"));
  EXPECT_EQ(b64_ok.status, 201) << Describe(b64_ok);
  auto b64_big =
      PostMessage(alice_, OnePart("application/octet-stream",
                                  server::Base64Encode(std::string(2049, '\x01')), "base64"));
  EXPECT_EQ(b64_big.status, 422) << Describe(b64_big);
  EXPECT_EQ(GetConversation(alice_, conv_)["total_message_count"], 2);
}

TEST_F(Messages, RichContentPartIsRejectedClearly) {
  auto r = PostMessage(alice_,
                       R"({"parts":[{"mime_type":"image/png","content":{"id":"layer:///content/)" +
                           server::RandomUuid() + R"(","size":5000}}]})");
  EXPECT_EQ(r.status, 422) << Describe(r);
  EXPECT_FALSE(r.Str("message").empty());
}

TEST_F(Messages, NotificationIsStoredWithTheMessage) {
  auto r = PostMessage(alice_, R"({"parts":[{"mime_type":"text/plain","body":"hi"}],
      "notification":{"text":"Alice: hi","sound":"chime.aiff","title":"New message"}})");
  ASSERT_EQ(r.status, 201) << Describe(r);
  auto msg = GetMessage(bob_, Uuid(r.Str("id")));
  ASSERT_TRUE(msg.contains("notification")) << json::serialize(msg);
  const auto& n = msg["notification"].as_object();
  EXPECT_EQ(n.at("text"), "Alice: hi");
  EXPECT_EQ(n.at("sound"), "chime.aiff");
  EXPECT_EQ(n.at("title"), "New message");
  auto bad = PostMessage(alice_, R"({"parts":[{"mime_type":"text/plain","body":"hi"}],
      "notification":{"text":5}})");
  EXPECT_EQ(bad.status, 422) << Describe(bad);
}

TEST_F(Messages, PositionsCountUpPerConversation) {
  std::string other = CreateConversation(alice_, {"carol"});
  std::vector<int64_t> here, there;
  for (int i = 0; i < 3; ++i) {
    here.push_back(SendText(alice_, conv_, "a")["position"].as_int64());
    there.push_back(SendText(alice_, other, "b")["position"].as_int64());
  }
  EXPECT_EQ(here, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(there, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(SendText(bob_, conv_, "c")["position"], 4);
}

TEST_F(Messages, ListIsNewestFirstPagedByFromId) {
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i)
    ids.push_back(Uuid(SendText(alice_, conv_, std::to_string(i))["id"].as_string()));
  HttpResult first;
  auto all = List(bob_, "", &first);
  EXPECT_EQ(first.Header("Layer-Count"), "7");
  ASSERT_EQ(all.size(), 7u);
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(Uuid(all[i]["id"].as_string()), ids[6 - i]);
  std::vector<std::string> paged;
  std::string from;
  for (int page = 0; page < 10; ++page) {
    HttpResult r;
    auto items = List(bob_, "?page_size=3" + (from.empty() ? "" : "&from_id=" + from), &r);
    EXPECT_EQ(r.Header("Layer-Count"), "7");
    for (auto& m : items) paged.push_back(Uuid(m["id"].as_string()));
    if (items.size() < 3) break;
    from = page % 2 ? std::string(items.back()["id"].as_string())
                    : Uuid(items.back()["id"].as_string());
  }
  EXPECT_EQ(paged, std::vector<std::string>(ids.rbegin(), ids.rend()));
}

TEST_F(Messages, GetUnknownMessageIsNotFound) {
  auto r = Get(alice_, "/messages/" + server::RandomUuid());
  EXPECT_EQ(r.status, 404) << Describe(r);
  EXPECT_EQ(r.ErrorId(), "not_found");
  auto conv = Post(alice_, "/conversations/" + server::RandomUuid() + "/messages",
                   OnePart("text/plain", "x"));
  EXPECT_EQ(conv.status, 404) << Describe(conv);
}

TEST_F(Messages, ClientChosenIdMakesRetryIdempotent) {
  std::string uuid = server::RandomUuid();
  std::string body = R"({"id":"layer:///messages/)" + uuid +
                     R"(","parts":[{"mime_type":"text/plain","body":"once"}]})";
  auto first = PostMessage(alice_, body);
  ASSERT_EQ(first.status, 201) << Describe(first);
  EXPECT_EQ(first.Str("id"), "layer:///messages/" + uuid);
  auto retry = PostMessage(alice_, body);
  ASSERT_EQ(retry.status, 409) << Describe(retry);
  EXPECT_EQ(retry.ErrorId(), "id_in_use");
  ASSERT_TRUE(retry.At("data").is_object()) << Describe(retry);
  EXPECT_EQ(retry.At("data").as_object().at("id"), first.Str("id").c_str());
  EXPECT_EQ(retry.At("data").as_object().at("position"), 1);
  EXPECT_EQ(GetConversation(alice_, conv_)["total_message_count"], 1);
}

TEST_F(Messages, DeleteForAllParticipantsRemovesItForEveryone) {
  auto keep = SendText(alice_, conv_, "keep");
  auto gone = SendText(alice_, conv_, "gone");
  std::string id = Uuid(gone["id"].as_string());
  auto r = Delete(bob_, "/messages/" + id + "?mode=all_participants");
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_EQ(Get(alice_, "/messages/" + id).status, 404);
  EXPECT_EQ(Get(bob_, "/messages/" + id).status, 404);
  auto left = List(alice_, "");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["id"], keep["id"]);
  EXPECT_EQ(Delete(alice_, "/messages/" + id + "?mode=all_participants").status, 404);
}

TEST_F(Messages, DeleteForMyDevicesHidesItOnlyForMe) {
  auto m = SendText(alice_, conv_, "hide for bob");
  std::string id = Uuid(m["id"].as_string());
  auto r = Delete(bob_, "/messages/" + id + "?mode=my_devices");
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_EQ(Get(bob_, "/messages/" + id).status, 404);
  EXPECT_TRUE(List(bob_, "").empty());
  EXPECT_EQ(Get(alice_, "/messages/" + id).status, 200);
  EXPECT_EQ(List(alice_, "").size(), 1u);
}

TEST_F(Messages, DeleteNeedsAValidMode) {
  std::string id = Uuid(SendText(alice_, conv_, "x")["id"].as_string());
  auto none = Delete(alice_, "/messages/" + id);
  EXPECT_EQ(none.status, 422) << Describe(none);
  auto bad = Delete(alice_, "/messages/" + id + "?mode=sideways");
  EXPECT_EQ(bad.status, 422) << Describe(bad);
  EXPECT_EQ(Get(alice_, "/messages/" + id).status, 200);
}

TEST_F(Messages, MalformedPartsAreRejected) {
  const char* bodies[] = {
      R"({})",
      R"({"parts":[]})",
      R"({"parts":"text"})",
      R"({"parts":["text/plain"]})",
      R"({"parts":[{"body":"no mime"}]})",
      R"({"parts":[{"mime_type":"text/plain"}]})",
      R"({"parts":[{"mime_type":"text/plain","body":5}]})",
      R"({"parts":[{"mime_type":7,"body":"x"}]})",
      R"({"parts":[{"mime_type":"text/plain","body":"x","colour":"red"}]})",
      R"({"parts":[{"mime_type":"text/plain","body":"x"}],"extra":true})",
      R"({"id":"not-a-uuid","parts":[{"mime_type":"text/plain","body":"x"}]})",
  };
  for (const char* body : bodies) {
    auto r = PostMessage(alice_, body);
    EXPECT_EQ(r.status, 422) << body << " -> " << Describe(r);
    EXPECT_TRUE(r.ErrorId() == "invalid_property" || r.ErrorId() == "missing_property")
        << body << " -> " << Describe(r);
  }
  EXPECT_EQ(GetConversation(alice_, conv_)["total_message_count"], 0);
  EXPECT_EQ(SendText(alice_, conv_, "fine")["position"], 1);
}

}  // namespace
}  // namespace relayer::it
