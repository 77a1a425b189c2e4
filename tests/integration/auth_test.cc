// Nonces, identity tokens, sessions and the Authorization header over real HTTP.
#include "integration/test_server.h"

namespace relayer::it {
namespace {

class Auth : public ApiTest {
 protected:
  // A bad identity token: 422 invalid_property naming identity_token, and no session.
  void ExpectTokenRejected(const std::string& token, const std::string& why) {
    auto r = StartSession(token);
    EXPECT_EQ(r.status, 422) << why << ": " << Describe(r);
    EXPECT_EQ(r.ErrorId(), "invalid_property") << why;
    EXPECT_EQ(r.Code(), 105) << why;
    EXPECT_TRUE(r.Str("session_token").empty()) << why;
  }
  std::string Token(const std::function<void(server::IdentityClaims&)>& edit,
                    std::string_view kid = kKid) {
    auto claims = ValidClaims(server(), "alice", NewNonce());
    edit(claims);
    return SignToken(claims, kid);
  }
};

TEST_F(Auth, NonceIsCreatedFreshEachTime) {
  auto a = client().Send("POST", "/nonces", {{"Accept", std::string(kAccept)}});
  auto b = client().Send("POST", "/nonces", {{"Accept", std::string(kAccept)}});
  ASSERT_EQ(a.status, 201) << Describe(a);
  ASSERT_EQ(b.status, 201) << Describe(b);
  EXPECT_GE(a.Str("nonce").size(), 16u);
  EXPECT_NE(a.Str("nonce"), b.Str("nonce"));
}

TEST_F(Auth, ValidIdentityTokenStartsSessionThatAuthenticatesRequests) {
  auto r = StartSession(SignToken(ValidClaims(server(), "alice", NewNonce())));
  ASSERT_EQ(r.status, 201) << Describe(r);
  std::string token = r.Str("session_token");
  ASSERT_FALSE(token.empty());
  auto list = Get(token, "/conversations");
  EXPECT_EQ(list.status, 200) << Describe(list);
  auto me = Get(token, "/identities/alice");
  EXPECT_EQ(me.status, 200) << Describe(me);
  EXPECT_EQ(me.Str("user_id"), "alice");
}

TEST_F(Auth, BareAppUuidIsAcceptedAsAppId) {
  json::object body;
  body["identity_token"] = SignToken(ValidClaims(server(), "alice", NewNonce()));
  body["app_id"] = server().app_uuid();
  auto r = Post("", "/sessions", json::serialize(body));
  EXPECT_EQ(r.status, 201) << Describe(r);
}

TEST_F(Auth, NonceIsSingleUse) {
  std::string nonce = NewNonce();
  auto first = StartSession(SignToken(ValidClaims(server(), "alice", nonce)));
  ASSERT_EQ(first.status, 201) << Describe(first);
  ExpectTokenRejected(SignToken(ValidClaims(server(), "alice", nonce)), "reused nonce");
  ExpectTokenRejected(SignToken(ValidClaims(server(), "bob", nonce)), "reused nonce, other user");
}

TEST_F(Auth, UnknownNonceIsRejected) {
  ExpectTokenRejected(SignToken(ValidClaims(server(), "alice", "not-a-nonce-we-issued")),
                      "unknown nonce");
}

TEST_F(Auth, RejectedTokenDoesNotConsumeNonce) {
  std::string nonce = NewNonce();
  auto bad = ValidClaims(server(), "alice", nonce);
  bad.iss = "someone-else";
  ExpectTokenRejected(SignToken(bad), "wrong issuer");
  auto good = StartSession(SignToken(ValidClaims(server(), "alice", nonce)));
  EXPECT_EQ(good.status, 201) << Describe(good);
}

TEST_F(Auth, TokenWithWrongClaimsIsRejected) {
  ExpectTokenRejected(Token([](auto& c) { c.iss = "layer:///providers/other"; }), "wrong iss");
  ExpectTokenRejected(Token([](auto& c) { c.prn = ""; }), "empty prn");
  ExpectTokenRejected(Token([](auto& c) { c.exp = NowSeconds() - 10; }), "expired exp");
  ExpectTokenRejected(Token([](auto& c) { c.iat = NowSeconds() + 3600; }), "iat in the future");
  ExpectTokenRejected(Token([](auto& c) { c.iat = NowSeconds() - 3 * 24 * 3600; }),
                      "iat older than the maximum age");
  ExpectTokenRejected(Token([](auto& c) { c.nce = ""; }), "empty nonce");
  // The server keeps serving: a good login right after.
  EXPECT_FALSE(Login("alice").empty());
}

TEST_F(Auth, TokenWithWrongHeaderOrSignatureIsRejected) {
  ExpectTokenRejected(Token([](auto&) {}, "unknown-kid"), "unknown kid");
  auto claims = ValidClaims(server(), "alice", NewNonce());
  std::string payload = "{\"iss\":\"" + claims.iss + "\",\"prn\":\"alice\",\"nce\":\"" +
                        claims.nce + "\",\"iat\":" + std::to_string(claims.iat) +
                        ",\"exp\":" + std::to_string(claims.exp) + "}";
  // Every variant below shares `payload` (and its unused nonce); the unaltered token is accepted
  // at the end, so each rejection is about the one thing changed.
  ExpectTokenRejected(
      SignRawJwt(R"({"typ":"JWT","alg":"RS256","cty":"layer-eit;v=2","kid":"k1"})", payload),
      "wrong cty");
  ExpectTokenRejected(SignRawJwt(R"({"typ":"JWT","alg":"RS256","kid":"k1"})", payload),
                      "missing cty");
  ExpectTokenRejected(
      SignRawJwt(R"({"typ":"JWT","alg":"HS256","cty":"layer-eit;v=1","kid":"k1"})", payload),
      "alg HS256");
  ExpectTokenRejected(
      SignRawJwt(R"({"typ":"JWT","alg":"none","cty":"layer-eit;v=1","kid":"k1"})", payload),
      "alg none");
  ExpectTokenRejected(SignRawJwt(R"({"typ":"JWT","alg":"RS256","cty":"layer-eit;v=1"})", payload),
                      "missing kid");
  std::string good =
      SignRawJwt(R"({"typ":"JWT","alg":"RS256","cty":"layer-eit;v=1","kid":"k1"})", payload);
  // Tampered payload: signature no longer matches.
  auto dot1 = good.find('.');
  auto dot2 = good.find('.', dot1 + 1);
  std::string other_payload = payload;
  other_payload.replace(other_payload.find("\"alice\""), 7, "\"mallo\"");
  std::string tampered =
      good.substr(0, dot1 + 1) + server::Base64UrlEncode(other_payload) + good.substr(dot2);
  ExpectTokenRejected(tampered, "tampered payload");
  std::string bad_sig = good;
  bad_sig[bad_sig.size() - 5] = bad_sig[bad_sig.size() - 5] == 'A' ? 'B' : 'A';
  ExpectTokenRejected(bad_sig, "altered signature");
  ExpectTokenRejected(good.substr(0, dot2), "no signature part");
  ExpectTokenRejected("not a jwt at all", "garbage");
  ExpectTokenRejected("a.b.c", "three garbage parts");
  auto control = StartSession(good);
  EXPECT_EQ(control.status, 201) << "the unaltered token: " << Describe(control);
}

TEST_F(Auth, TokenSignedByAnotherKeyIsRejected) {
  auto other = server::GenerateRsaKeyPair(1024);
  ASSERT_TRUE(other.ok());
  auto token = server::SignIdentityToken(other->private_pem, kKid,
                                         ValidClaims(server(), "alice", NewNonce()));
  ASSERT_TRUE(token.ok());
  ExpectTokenRejected(*token, "signed by a key the app does not have");
}

TEST_F(Auth, SessionRequestWithoutTokenOrAppIsRejected) {
  auto no_token = Post("", "/sessions", "{\"app_id\":\"" + server().app_id() + "\"}");
  EXPECT_EQ(no_token.status, 422) << Describe(no_token);
  EXPECT_EQ(no_token.ErrorId(), "missing_property");
  auto token = SignToken(ValidClaims(server(), "alice", NewNonce()));
  auto no_app = Post("", "/sessions", "{\"identity_token\":\"" + token + "\"}");
  EXPECT_EQ(no_app.status, 422) << Describe(no_app);
  EXPECT_EQ(no_app.ErrorId(), "missing_property");
  auto other_app =
      Post("", "/sessions",
           "{\"identity_token\":\"" + token + "\",\"app_id\":\"layer:///apps/staging/" +
               server::RandomUuid() + "\"}");
  EXPECT_EQ(other_app.status, 403) << Describe(other_app);
  EXPECT_EQ(other_app.ErrorId(), "invalid_app_id");
  EXPECT_EQ(other_app.Code(), 2);
}

TEST_F(Auth, UnknownSessionGets401WithFreshUsableNonce) {
  auto r = Get("no-such-session-token", "/conversations");
  ASSERT_EQ(r.status, 401) << Describe(r);
  EXPECT_EQ(r.Code(), 4);
  EXPECT_EQ(r.ErrorId(), "authentication_required");
  ASSERT_TRUE(r.At("data").is_object()) << Describe(r);
  std::string nonce = r.At("data").as_object().at("nonce").as_string().c_str();
  ASSERT_FALSE(nonce.empty());
  // The SDK re-authenticates with exactly this nonce.
  auto session = StartSession(SignToken(ValidClaims(server(), "alice", nonce)));
  EXPECT_EQ(session.status, 201) << Describe(session);
  auto again = Get("no-such-session-token", "/conversations");
  ASSERT_EQ(again.status, 401);
  EXPECT_NE(again.At("data").as_object().at("nonce").as_string(), nonce.c_str());
}

TEST_F(Auth, MissingOrMalformedAuthorizationGets401) {
  for (const char* header : {"", "Bearer abc", "Layer", "Layer session-token=\"\"",
                             "Layer session-token=\"unterminated"}) {
    Headers h{{"Accept", std::string(kAccept)}};
    if (*header) h.emplace_back("Authorization", header);
    auto r = client().Send("GET", "/conversations", h);
    EXPECT_EQ(r.status, 401) << "Authorization: " << header << " -> " << Describe(r);
    EXPECT_EQ(r.Code(), 4);
    EXPECT_TRUE(r.At("data").is_object() && r.At("data").as_object().contains("nonce"));
  }
}

TEST_F(Auth, UnquotedSessionTokenIsAccepted) {
  std::string token = Login("alice");
  auto r = client().Send(
      "GET", "/conversations",
      {{"Accept", std::string(kAccept)}, {"Authorization", "Layer session-token=" + token}});
  EXPECT_EQ(r.status, 200) << Describe(r);
}

TEST_F(Auth, DeletedSessionNoLongerAuthenticates) {
  std::string token = Login("alice");
  std::string other = Login("alice");
  ASSERT_EQ(Get(token, "/conversations").status, 200);
  auto del = Call("DELETE", "/sessions/" + token, "");
  EXPECT_EQ(del.status, 204) << Describe(del);
  auto after = Get(token, "/conversations");
  EXPECT_EQ(after.status, 401) << Describe(after);
  EXPECT_EQ(after.Code(), 4);
  // Only that session ended: the user's other session still works.
  EXPECT_EQ(Get(other, "/conversations").status, 200);
}

TEST_F(Auth, PingAnswersWithoutAcceptOrSession) {
  auto head = client().Send("HEAD", "/ping");
  EXPECT_TRUE(head.status == 200 || head.status == 204) << Describe(head);
  auto get = client().Send("GET", "/ping");
  EXPECT_TRUE(get.status == 200 || get.status == 204) << Describe(get);
}

TEST_F(Auth, WebsocketValidationChecksTheSession) {
  std::string token = Login("alice");
  auto ok = client().Send("GET", "/?action=validateConnectionForWebsocket",
                          {{"Authorization", "Layer session-token=\"" + token + "\""}});
  EXPECT_EQ(ok.status, 200) << Describe(ok);
  auto bad = client().Send("GET", "/?action=validateConnectionForWebsocket",
                           {{"Authorization", "Layer session-token=\"nope\""}});
  EXPECT_EQ(bad.status, 401) << Describe(bad);
}

TEST_F(Auth, SessionsBelongToTheirUser) {
  std::string alice = Login("alice");
  std::string bob = Login("bob");
  std::string conv = CreateConversation(alice, {"carol"});
  EXPECT_EQ(Get(alice, "/conversations/" + conv).status, 200);
  EXPECT_EQ(Get(bob, "/conversations").Array().size(), 0u);
}

TEST_F(Auth, KeepAliveConnectionServesManyRequests) {
  std::string token = Login("alice");
  int before = client().connections();
  for (int i = 0; i < 20; ++i) ASSERT_EQ(Get(token, "/conversations").status, 200);
  EXPECT_EQ(client().connections(), before);
}

// Sessions and nonces expire after their configured lifetimes.
class ShortSessions : public ApiTest {
 protected:
  Limits TestLimits() const override {
    Limits l;
    l.session_ttl_ms = 1500;
    return l;
  }
};

TEST_F(ShortSessions, SessionExpiresAfterConfiguredTtl) {
  std::string token = Login("alice");
  ASSERT_EQ(Get(token, "/conversations").status, 200);
  HttpResult last;
  bool expired = PollUntil(
      [&] {
        last = Get(token, "/conversations");
        return last.status != 200;
      },
      10000);
  ASSERT_TRUE(expired) << "session never expired";
  EXPECT_EQ(last.status, 401) << Describe(last);
  EXPECT_EQ(last.Code(), 4);
  EXPECT_TRUE(last.At("data").is_object() && last.At("data").as_object().contains("nonce"));
  // A fresh login works again.
  EXPECT_EQ(Get(Login("alice"), "/conversations").status, 200);
}

class ExpiredNonces : public ApiTest {
 protected:
  Limits TestLimits() const override {
    Limits l;
    l.nonce_ttl_ms = -1000;  // every nonce is born expired
    return l;
  }
};

TEST_F(ExpiredNonces, ExpiredNonceIsRejected) {
  auto r = StartSession(SignToken(ValidClaims(server(), "alice", NewNonce())));
  EXPECT_EQ(r.status, 422) << Describe(r);
  EXPECT_EQ(r.ErrorId(), "invalid_property");
}

}  // namespace
}  // namespace relayer::it
