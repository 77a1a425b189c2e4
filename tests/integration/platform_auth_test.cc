// Platform API: bearer authentication, the app of the path, Accept versions and routing errors.
#include "integration/platform_fixture.h"

namespace relayer::it {
namespace {

class PlatformAuth : public PlatformTest {};

TEST_F(PlatformAuth, MissingBearerTokenIs401) {
  auto r = client().Send("GET", "/apps/" + server().app_uuid() + "/users/alice/conversations",
                         {{"Accept", std::string(kPlatformAccept)}});
  EXPECT_EQ(r.status, 401) << Describe(r);
  EXPECT_EQ(r.ErrorId(), "authentication_required");
  EXPECT_EQ(r.Code(), 4);
}

TEST_F(PlatformAuth, WrongBearerTokenIs401) {
  auto r = client().Send(
      "GET", "/apps/" + server().app_uuid() + "/users/alice/conversations",
      {{"Accept", std::string(kPlatformAccept)}, {"Authorization", "Bearer not-the-token"}});
  EXPECT_EQ(r.status, 401) << Describe(r);
  EXPECT_EQ(r.ErrorId(), "authentication_required");
}

TEST_F(PlatformAuth, SessionTokenIsNotAPlatformToken) {
  std::string session = Login("alice");
  auto r = client().Send("GET", "/apps/" + server().app_uuid() + "/users/alice/conversations",
                         {{"Accept", std::string(kPlatformAccept)},
                          {"Authorization", "Layer session-token=\"" + session + "\""}});
  EXPECT_EQ(r.status, 401) << Describe(r);
}

TEST_F(PlatformAuth, UnknownAppIs401EvenWithAValidToken) {
  auto r = client().Send("GET", "/apps/00000000-0000-4000-8000-000000000000/users/a/conversations",
                         {{"Accept", std::string(kPlatformAccept)},
                          {"Authorization", "Bearer " + std::string(kPlatformToken)}});
  EXPECT_EQ(r.status, 401) << Describe(r);
  auto bad = client().Send("GET", "/apps/not-a-uuid/users/a/conversations",
                           {{"Accept", std::string(kPlatformAccept)},
                            {"Authorization", "Bearer " + std::string(kPlatformToken)}});
  EXPECT_EQ(bad.status, 401) << Describe(bad);
}

TEST_F(PlatformAuth, AcceptVersionsOneZeroToOneThreeAreServed) {
  for (std::string v : {"1.0", "1.1", "1.2", "1.3"}) {
    auto direct =
        client().Send("GET", "/apps/" + server().app_uuid() + "/users/alice/conversations",
                      {{"Accept", "application/vnd.layer+json; version=" + v},
                       {"Authorization", "Bearer " + std::string(kPlatformToken)}});
    EXPECT_EQ(direct.status, 200) << v << " " << Describe(direct);
  }
}

TEST_F(PlatformAuth, ClientApiVersionOrNoAcceptIs406) {
  for (std::string accept : {"application/vnd.layer+json; version=2.0", "application/json", ""}) {
    Headers h{{"Authorization", "Bearer " + std::string(kPlatformToken)}};
    if (!accept.empty()) h.emplace_back("Accept", accept);
    auto r = client().Send("GET", "/apps/" + server().app_uuid() + "/users/alice/conversations", h);
    EXPECT_EQ(r.status, 406) << accept << " " << Describe(r);
    EXPECT_EQ(r.ErrorId(), "invalid_header");
    EXPECT_EQ(r.Code(), 107);
  }
}

TEST_F(PlatformAuth, UnknownEndpointIs404AndWrongMethodIs405) {
  auto r = P("GET", "/no/such/thing");
  EXPECT_EQ(r.status, 404) << Describe(r);
  EXPECT_EQ(r.ErrorId(), "invalid_endpoint");
  auto m = P("PUT", "/users/alice/conversations", "{}");
  EXPECT_EQ(m.status, 405) << Describe(m);
  EXPECT_EQ(m.ErrorId(), "method_not_allowed");
}

TEST_F(PlatformAuth, ClientApiStillServesOtherPaths) {
  std::string token = Login("alice");
  auto r = Get(token, "/conversations");
  EXPECT_EQ(r.status, 200) << Describe(r);
}

TEST_F(PlatformAuth, UserConversationsListsWhatTheUserSees) {
  std::string alice = Login("alice");
  std::string conv = CreateConversation(alice, {"bob"});
  SendText(alice, conv, "hi");
  auto r = P("GET", "/users/bob/conversations");
  ASSERT_EQ(r.status, 200) << Describe(r);
  ASSERT_EQ(r.Array().size(), 1u);
  const auto& c = r.Array()[0].as_object();
  EXPECT_EQ(c.at("id").as_string(), "layer:///conversations/" + conv);
  EXPECT_EQ(c.at("unread_message_count"), 1);
  EXPECT_EQ(r.Header("Layer-Count"), "1");
  // Platform 1.x names participants by user id.
  EXPECT_EQ(c.at("participants").as_array().size(), 2u);
  EXPECT_EQ(c.at("participants").as_array()[0], "alice");
  EXPECT_NE(c.at("url").as_string().find("/apps/" + server().app_uuid() + "/conversations/"),
            std::string::npos);
}

}  // namespace
}  // namespace relayer::it
