// PATCH /conversations/UUID with Layer-Patch: participants and metadata.
#include <set>

#include "integration/test_server.h"

namespace relayer::it {
namespace {

class Patch : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    alice_ = Login("alice");
    bob_ = Login("bob");
    carol_ = Login("carol", [](server::IdentityClaims& c) { c.display_name = "Carol"; });
  }
  HttpResult PatchConv(const std::string& token, const std::string& conv, const std::string& ops) {
    return ApiTest::Patch(token, "/conversations/" + conv, ops);
  }
  std::set<std::string> Participants(const std::string& token, const std::string& conv) {
    std::set<std::string> out;
    auto c = GetConversation(token, conv);
    if (!c.contains("participants")) return out;
    for (const auto& p : c["participants"].as_array()) {
      out.insert(std::string(p.as_object().at("user_id").as_string()));
    }
    return out;
  }
  json::object Metadata(const std::string& conv) {
    auto c = GetConversation(alice_, conv);
    return c.contains("metadata") ? c["metadata"].as_object() : json::object();
  }
  std::string alice_, bob_, carol_;
};

TEST_F(Patch, AddParticipantDropsDistinctAndLetsThemIn) {
  std::string conv = CreateConversation(alice_, {"bob"}, true);
  EXPECT_EQ(Get(carol_, "/conversations/" + conv).status, 404);
  auto r = PatchConv(
      alice_, conv,
      R"([{"operation":"add","property":"participants","id":"layer:///identities/carol"}])");
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(Participants(alice_, conv), (std::set<std::string>{"alice", "bob", "carol"}));
  auto for_carol = GetConversation(carol_, conv);
  EXPECT_EQ(for_carol["distinct"], false);
  for (const auto& p : for_carol["participants"].as_array()) {
    if (p.as_object().at("user_id") == "carol") {
      EXPECT_EQ(p.as_object().at("display_name"), "Carol");
    }
  }
  // The set {alice, bob} no longer has a distinct conversation: a distinct create makes a new one.
  auto fresh = Post(alice_, "/conversations", R"({"participants":["bob"],"distinct":true})");
  EXPECT_EQ(fresh.status, 201) << Describe(fresh);
  EXPECT_NE(Uuid(fresh.Str("id")), conv);
}

TEST_F(Patch, AnyParticipantMayRemoveAnother) {
  std::string conv = CreateConversation(alice_, {"bob", "carol"}, true);
  auto r = PatchConv(
      bob_, conv,
      R"([{"operation":"remove","property":"participants","id":"layer:///identities/carol"}])");
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_EQ(Participants(alice_, conv), (std::set<std::string>{"alice", "bob"}));
  EXPECT_EQ(GetConversation(alice_, conv)["distinct"], false);
  EXPECT_EQ(Get(carol_, "/conversations/" + conv).status, 404);
}

TEST_F(Patch, RemovingYourselfLeaves) {
  std::string conv = CreateConversation(alice_, {"bob", "carol"}, false);
  auto r =
      PatchConv(bob_, conv, R"([{"operation":"remove","property":"participants","id":"bob"}])");
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_EQ(Get(bob_, "/conversations/" + conv).status, 404);
  EXPECT_EQ(Participants(alice_, conv), (std::set<std::string>{"alice", "carol"}));
}

TEST_F(Patch, AddingAnExistingParticipantChangesNothing) {
  std::string conv = CreateConversation(alice_, {"bob"}, true);
  auto r = PatchConv(alice_, conv, R"([{"operation":"add","property":"participants","id":"bob"}])");
  EXPECT_EQ(r.status, 204) << Describe(r);
  auto c = GetConversation(alice_, conv);
  EXPECT_EQ(c["distinct"], true);
  EXPECT_EQ(c["participants"].as_array().size(), 2u);
}

TEST_F(Patch, SeveralOperationsApplyInOrder) {
  std::string conv = CreateConversation(alice_, {"bob"}, false);
  auto r = PatchConv(alice_, conv, R"([
    {"operation":"add","property":"participants","id":"carol"},
    {"operation":"add","property":"participants","id":"dave"},
    {"operation":"remove","property":"participants","id":"dave"},
    {"operation":"set","property":"metadata.title","value":"Plans"}])");
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_EQ(Participants(alice_, conv), (std::set<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(Metadata(conv)["title"], "Plans");
}

TEST_F(Patch, MetadataSetNestedAndDelete) {
  std::string conv = CreateConversation(alice_, {"bob"}, true, R"({"title":"Old","keep":"me"})");
  auto set = PatchConv(bob_, conv, R"([
    {"operation":"set","property":"metadata.title","value":"New"},
    {"operation":"set","property":"metadata.a.b","value":"42"}])");
  EXPECT_EQ(set.status, 204) << Describe(set);
  auto md = Metadata(conv);
  EXPECT_EQ(md["title"], "New");
  EXPECT_EQ(md["keep"], "me");
  ASSERT_TRUE(md["a"].is_object()) << json::serialize(md);
  EXPECT_EQ(md["a"].as_object().at("b"), "42");
  auto del = PatchConv(alice_, conv, R"([{"operation":"delete","property":"metadata.title"}])");
  EXPECT_EQ(del.status, 204) << Describe(del);
  md = Metadata(conv);
  EXPECT_FALSE(md.contains("title")) << json::serialize(md);
  EXPECT_EQ(md["keep"], "me");
  // Metadata changes leave distinct alone.
  EXPECT_EQ(GetConversation(alice_, conv)["distinct"], true);
}

TEST_F(Patch, EscapedDotIsALiteralDotInAKey) {
  std::string conv = CreateConversation(alice_, {"bob"}, false);
  auto r =
      PatchConv(alice_, conv, R"([{"operation":"set","property":"metadata.a\\.b.c","value":"x"}])");
  EXPECT_EQ(r.status, 204) << Describe(r);
  auto md = Metadata(conv);
  ASSERT_TRUE(md.contains("a.b")) << json::serialize(md);
  EXPECT_EQ(md["a.b"].as_object().at("c"), "x");
}

TEST_F(Patch, SetWholeMetadataReplacesIt) {
  std::string conv = CreateConversation(alice_, {"bob"}, false, R"({"x":"1"})");
  auto r = PatchConv(alice_, conv,
                     R"([{"operation":"set","property":"metadata","value":{"y":{"z":"2"}}}])");
  EXPECT_EQ(r.status, 204) << Describe(r);
  auto md = Metadata(conv);
  EXPECT_FALSE(md.contains("x"));
  EXPECT_EQ(md["y"].as_object().at("z"), "2");
}

TEST_F(Patch, MethodOverrideHeaderTunnelsPatchThroughPost) {
  std::string conv = CreateConversation(alice_, {"bob"}, false);
  auto r = Call("POST", "/conversations/" + conv, alice_,
                R"([{"operation":"set","property":"metadata.via","value":"override"}])",
                {{"Content-Type", std::string(kPatchType)}, {"X-HTTP-Method-Override", "PATCH"}});
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_EQ(Metadata(conv)["via"], "override");
}

TEST_F(Patch, BadPatchesAreRejectedAndChangeNothing) {
  std::string conv = CreateConversation(alice_, {"bob"}, true, R"({"title":"T"})");
  struct Case {
    const char* body;
    int status;
  };
  const Case cases[] = {
      {R"({"operation":"set","property":"metadata.x","value":"1"})", 400},  // not an array
      {R"([1])", 400},
      {R"([{"property":"metadata.x","value":"1"}])", 422},  // no operation
      {R"([{"operation":"frobnicate","property":"metadata.x","value":"1"}])", 422},
      {R"([{"operation":"set","value":"1"}])", 422},  // no property
      {R"([{"operation":"set","property":"","value":"1"}])", 422},
      {R"([{"operation":"set","property":"metadata..x","value":"1"}])", 422},  // empty segment
      {R"([{"operation":"set","property":"metadata.x"}])", 422},               // no value
      {R"([{"operation":"set","property":"metadata.x","value":5}])", 422},     // not a string
      {R"([{"operation":"set","property":"metadata.x","value":["a"]}])", 422},
      {R"([{"operation":"set","property":"metadata","value":"flat"}])", 422},
      {R"([{"operation":"set","property":"distinct","value":false}])", 422},  // not patchable
      {R"([{"operation":"set","property":"created_at","value":"x"}])", 422},
      {R"([{"operation":"set","property":"title.x","value":"x"}])", 422},
      {R"([{"operation":"add","property":"metadata.x","value":"1"}])", 422},
      {R"([{"operation":"delete","property":"participants"}])", 422},
      {R"([{"operation":"add","property":"participants","id":""}])", 422},
      {R"([{"operation":"add","property":"participants","id":7}])", 422},
      {R"([{"operation":"set","property":"metadata.title.sub","value":"x"}])",
       422},  // title is a string
      // A valid op followed by an invalid one: all or nothing.
      {R"([{"operation":"set","property":"metadata.title","value":"Changed"},
           {"operation":"set","property":"metadata.n","value":1}])",
       422},
  };
  for (const auto& c : cases) {
    auto r = PatchConv(alice_, conv, c.body);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << Describe(r);
    EXPECT_TRUE(r.ErrorId() == "invalid_property" || r.ErrorId() == "missing_property" ||
                r.ErrorId() == "invalid_request")
        << c.body << " -> " << Describe(r);
  }
  auto after = GetConversation(alice_, conv);
  EXPECT_EQ(after["metadata"], json::parse(R"({"title":"T"})"));
  EXPECT_EQ(after["distinct"], true);
  EXPECT_EQ(after["participants"].as_array().size(), 2u);
}

TEST_F(Patch, PatchOfUnknownConversationIsNotFound) {
  auto r = PatchConv(alice_, server::RandomUuid(),
                     R"([{"operation":"set","property":"metadata.x","value":"1"}])");
  EXPECT_EQ(r.status, 404) << Describe(r);
  EXPECT_EQ(r.ErrorId(), "not_found");
}

}  // namespace
}  // namespace relayer::it
