// Nonces, sessions and identities.
#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

StartSessionOp Start(const AppId& app, const std::string& nonce, const std::string& user,
                     const std::string& token, TimeMs now) {
  StartSessionOp op;
  op.app_id = app;
  op.nonce = Nonce(nonce);
  op.identity.user_id = UserId(user);
  op.identity.display_name = "Name of " + user;
  op.identity.avatar_url = "https://example.com/" + user + ".png";
  op.token = SessionToken(token);
  op.now = now;
  op.expires_at = now + 1000;
  return op;
}

TEST_P(StoreConformance, StartSessionConsumesNonceAndStoresIdentity) {
  ASSERT_TRUE(Write(CreateNonceOp{app_, Nonce("n1"), 100, 200}).status.ok());
  WriteResult r = Write(Start(app_, "n1", "alice", "tok1", 150));
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_TRUE(r.session.has_value());
  EXPECT_EQ(r.session->user_id, U("alice"));

  auto session = store().GetSession(SessionToken("tok1"));
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->app_id, app_);
  EXPECT_EQ(session->user_id, U("alice"));
  EXPECT_EQ(session->created_at, 150);
  EXPECT_EQ(session->expires_at, 1150);

  auto identity = store().GetIdentity(app_, U("alice"));
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->display_name, "Name of alice");
  EXPECT_EQ(identity->avatar_url, "https://example.com/alice.png");
}

TEST_P(StoreConformance, NonceIsSingleUse) {
  ASSERT_TRUE(Write(CreateNonceOp{app_, Nonce("n1"), 100, 200}).status.ok());
  ASSERT_TRUE(Write(Start(app_, "n1", "alice", "tok1", 150)).status.ok());
  WriteResult again = Write(Start(app_, "n1", "alice", "tok2", 151));
  EXPECT_EQ(again.status.code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(again.status.property(), "identity_token");
  EXPECT_EQ(store().GetSession(SessionToken("tok2")).status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, ExpiredNonceIsRejectedAndNothingIsWritten) {
  ASSERT_TRUE(Write(CreateNonceOp{app_, Nonce("n1"), 100, 200}).status.ok());
  WriteResult r = Write(Start(app_, "n1", "bob", "tok1", 200));
  EXPECT_EQ(r.status.code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(r.status.property(), "identity_token");
  EXPECT_FALSE(r.status.message().empty());
  EXPECT_EQ(store().GetSession(SessionToken("tok1")).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store().GetIdentity(app_, U("bob")).status().code(), ErrorCode::kNotFound);
}

// POST /nonces names no app, so a nonce is not bound to one (commit 4861bbb).
TEST_P(StoreConformance, UnknownNonceIsRejectedAndANonceServesAnyAppOnce) {
  ASSERT_TRUE(Write(CreateNonceOp{app_, Nonce("n1"), 100, 200}).status.ok());
  EXPECT_EQ(Write(Start(app_, "nope", "alice", "tok1", 150)).status.code(),
            ErrorCode::kInvalidProperty);
  AppId other("a0000000-0000-4000-8000-000000000002");
  EXPECT_TRUE(Write(Start(other, "n1", "alice", "tok2", 150)).status.ok());
  EXPECT_EQ(Write(Start(app_, "n1", "alice", "tok3", 150)).status.code(),
            ErrorCode::kInvalidProperty);
  EXPECT_EQ(store().GetSession(SessionToken("tok2"))->app_id, other);
}

TEST_P(StoreConformance, UnknownSessionIsNotFound) {
  EXPECT_EQ(store().GetSession(SessionToken("missing")).status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, DeleteSessionRemovesItAndMissingIsNotFound) {
  ASSERT_TRUE(Write(CreateNonceOp{app_, Nonce("n1"), 100, 200}).status.ok());
  ASSERT_TRUE(Write(Start(app_, "n1", "alice", "tok1", 150)).status.ok());
  EXPECT_TRUE(Write(DeleteSessionOp{SessionToken("tok1")}).status.ok());
  EXPECT_EQ(store().GetSession(SessionToken("tok1")).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Write(DeleteSessionOp{SessionToken("tok1")}).status.code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, UpsertIdentityInsertsThenUpdatesProfile) {
  Identity i;
  i.user_id = U("carol");
  i.display_name = "Carol";
  i.first_name = "Carol";
  i.email_address = "carol@example.com";
  ASSERT_TRUE(Write(UpsertIdentityOp{app_, i, 10}).status.ok());
  i.display_name = "Caro";
  i.phone_number = "+1555";
  ASSERT_TRUE(Write(UpsertIdentityOp{app_, i, 20}).status.ok());
  auto got = store().GetIdentity(app_, U("carol"));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->display_name, "Caro");
  EXPECT_EQ(got->first_name, "Carol");
  EXPECT_EQ(got->email_address, "carol@example.com");
  EXPECT_EQ(got->phone_number, "+1555");
  EXPECT_EQ(got->updated_at, 20);
  AppId other("a0000000-0000-4000-8000-000000000002");
  EXPECT_EQ(store().GetIdentity(other, U("carol")).status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, NewSessionUpdatesProfileFromToken) {
  Identity i;
  i.user_id = U("alice");
  i.display_name = "Old";
  ASSERT_TRUE(Write(UpsertIdentityOp{app_, i, 10}).status.ok());
  ASSERT_TRUE(Write(CreateNonceOp{app_, Nonce("n1"), 100, 200}).status.ok());
  ASSERT_TRUE(Write(Start(app_, "n1", "alice", "tok1", 150)).status.ok());
  EXPECT_EQ(store().GetIdentity(app_, U("alice"))->display_name, "Name of alice");
}

}  // namespace
}  // namespace relayer::testing
