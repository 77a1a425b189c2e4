// GET /identities/USER: the profile comes from the identity token's claims.
#include "integration/test_server.h"

namespace relayer::it {
namespace {

class Identities : public ApiTest {};

TEST_F(Identities, ProfileComesFromIdentityTokenClaims) {
  std::string token = Login("alice", [](server::IdentityClaims& c) {
    c.display_name = "Alice A.";
    c.avatar_url = "https://example.com/alice.png";
    c.first_name = "Alice";
    c.last_name = "Anders";
  });
  auto r = Get(token, "/identities/alice");
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(r.Str("id"), "layer:///identities/alice");
  EXPECT_EQ(r.Str("user_id"), "alice");
  EXPECT_EQ(r.Str("display_name"), "Alice A.");
  EXPECT_EQ(r.Str("avatar_url"), "https://example.com/alice.png");
  EXPECT_EQ(r.Str("first_name"), "Alice");
  EXPECT_EQ(r.Str("last_name"), "Anders");
  EXPECT_NE(r.Str("url").find("/identities/alice"), std::string::npos) << r.Str("url");
  EXPECT_EQ(r.Header("Content-Type").rfind("application/", 0), 0u) << r.Header("Content-Type");
}

TEST_F(Identities, LaterLoginReplacesTheProfile) {
  Login("alice", [](server::IdentityClaims& c) { c.display_name = "Old Name"; });
  std::string token =
      Login("alice", [](server::IdentityClaims& c) { c.display_name = "New Name"; });
  auto r = Get(token, "/identities/alice");
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(r.Str("display_name"), "New Name");
}

TEST_F(Identities, OtherUsersProfileIsReadable) {
  Login("bob", [](server::IdentityClaims& c) { c.display_name = "Bob B."; });
  std::string alice = Login("alice");
  auto r = Get(alice, "/identities/bob");
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(r.Str("display_name"), "Bob B.");
}

TEST_F(Identities, UnknownUserIsNotFound) {
  std::string token = Login("alice");
  auto r = Get(token, "/identities/nobody-here");
  EXPECT_EQ(r.status, 404) << Describe(r);
  EXPECT_EQ(r.ErrorId(), "not_found");
  EXPECT_EQ(r.Code(), 102);
}

TEST_F(Identities, UserIdWithReservedCharactersRoundTrips) {
  const std::string user = "ann.lee+1@example.com";
  std::string token = Login(user, [](server::IdentityClaims& c) { c.display_name = "Ann"; });
  auto r = Get(token, "/identities/ann.lee%2B1%40example.com");
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(r.Str("user_id"), user);
  // Such a user is a participant under their own id.
  std::string bob = Login("bob");
  std::string conv = CreateConversation(bob, {user});
  auto c = GetConversation(token, conv);
  bool found = false;
  for (const auto& p : c["participants"].as_array()) {
    if (p.as_object().at("user_id") == user.c_str()) {
      found = true;
      EXPECT_EQ(p.as_object().at("display_name"), "Ann");
    }
  }
  EXPECT_TRUE(found) << json::serialize(c);
  // The same user named by its URL-encoded identity id is the same participant.
  auto again = Post(bob, "/conversations",
                    R"({"participants":["layer:///identities/ann.lee%2B1%40example.com"]})");
  EXPECT_EQ(again.status, 201) << Describe(again);
  auto same = Post(bob, "/conversations", R"({"participants":[")" + user + R"("]})");
  EXPECT_EQ(same.status, 200) << Describe(same);
  EXPECT_EQ(same.Str("id"), again.Str("id"));
}

TEST_F(Identities, IdentityNeedsSession) {
  Login("alice");
  auto r = Get("", "/identities/alice");
  EXPECT_EQ(r.status, 401) << Describe(r);
}

}  // namespace
}  // namespace relayer::it
