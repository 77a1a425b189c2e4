#include "server/auth/jwt.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <random>
#include <thread>

#include "server/auth/crypto.h"

namespace relayer::server {
namespace {

namespace json = boost::json;

class IdentityToken : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_a_ = new RsaKeyPair(*GenerateRsaKeyPair(2048));
    key_b_ = new RsaKeyPair(*GenerateRsaKeyPair(2048));
  }
  static void TearDownTestSuite() {
    delete key_a_;
    delete key_b_;
  }
  void SetUp() override { ASSERT_TRUE(ring_.add("kid-a", key_a_->public_pem).ok()); }

  static IdentityClaims Claims() {
    IdentityClaims c;
    c.iss = "provider";
    c.prn = "alice";
    c.nce = "nonce-1";
    c.iat = 1'700'000'000;
    c.exp = 1'700'000'600;
    return c;
  }
  static json::object Header() {
    return {{"typ", "JWT"}, {"alg", "RS256"}, {"cty", "layer-eit;v=1"}, {"kid", "kid-a"}};
  }
  static json::object Payload() {
    return {{"iss", "provider"},
            {"prn", "alice"},
            {"nce", "nonce-1"},
            {"iat", 1'700'000'000},
            {"exp", 1'700'000'600}};
  }
  // A token with arbitrary header and payload, correctly RS256-signed with `pem`.
  static std::string Make(const json::value& header, const json::value& payload,
                          const std::string& pem) {
    return MakeRaw(json::serialize(header), json::serialize(payload), pem);
  }
  static std::string MakeRaw(std::string_view header, std::string_view payload,
                             const std::string& pem) {
    std::string signed_part = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
    return signed_part + "." + Base64UrlEncode(*SignRs256(pem, signed_part));
  }
  Status Verify(std::string_view token) const {
    auto r = VerifyIdentityToken(token, ring_);
    return r.status();
  }
  // Expects a rejection with the identity_token property and `fragment` in the message.
  void ExpectRejected(std::string_view token, std::string_view fragment) const {
    Status s = Verify(token);
    ASSERT_FALSE(s.ok()) << "accepted: " << token;
    EXPECT_EQ(s.code(), ErrorCode::kInvalidProperty);
    EXPECT_EQ(s.property(), "identity_token");
    EXPECT_NE(s.message().find(fragment), std::string::npos)
        << "message '" << s.message() << "' lacks '" << fragment << "'";
  }

  static RsaKeyPair* key_a_;
  static RsaKeyPair* key_b_;
  PublicKeyRing ring_;
};

RsaKeyPair* IdentityToken::key_a_ = nullptr;
RsaKeyPair* IdentityToken::key_b_ = nullptr;

TEST_F(IdentityToken, SignedTokenVerifiesWithAllClaims) {
  IdentityClaims in = Claims();
  in.display_name = "Alice A.";
  in.avatar_url = "https://example.com/a.png";
  in.first_name = "Alice";
  in.last_name = "Anders";
  in.email_address = "alice@example.com";
  in.phone_number = "+15550100";
  auto token = SignIdentityToken(key_a_->private_pem, "kid-a", in);
  ASSERT_TRUE(token.ok()) << token.status().message();
  auto out = VerifyIdentityToken(*token, ring_);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->kid, "kid-a");
  EXPECT_EQ(out->iss, in.iss);
  EXPECT_EQ(out->prn, in.prn);
  EXPECT_EQ(out->nce, in.nce);
  EXPECT_EQ(out->iat, in.iat);
  EXPECT_EQ(out->exp, in.exp);
  EXPECT_EQ(out->display_name, in.display_name);
  EXPECT_EQ(out->avatar_url, in.avatar_url);
  EXPECT_EQ(out->first_name, in.first_name);
  EXPECT_EQ(out->last_name, in.last_name);
  EXPECT_EQ(out->email_address, in.email_address);
  EXPECT_EQ(out->phone_number, in.phone_number);
}

TEST_F(IdentityToken, SignedTokenHasLayerHeaderAndOmitsEmptyProfileClaims) {
  auto token = SignIdentityToken(key_a_->private_pem, "kid-a", Claims());
  ASSERT_TRUE(token.ok());
  size_t dot1 = token->find('.'), dot2 = token->find('.', dot1 + 1);
  json::value header = json::parse(*Base64UrlDecode(token->substr(0, dot1)));
  json::value payload = json::parse(*Base64UrlDecode(token->substr(dot1 + 1, dot2 - dot1 - 1)));
  EXPECT_EQ(header, json::value(Header()));
  EXPECT_FALSE(payload.as_object().contains("display_name"));
  EXPECT_EQ(payload.at("iat"), json::value(1'700'000'000));
}

TEST_F(IdentityToken, HandMadeTokenWithoutTypVerifies) {
  json::object h = Header();
  h.erase("typ");
  EXPECT_TRUE(Verify(Make(h, Payload(), key_a_->private_pem)).ok());
}

TEST_F(IdentityToken, TamperedPayloadIsRejected) {
  std::string good = *SignIdentityToken(key_a_->private_pem, "kid-a", Claims());
  json::object evil = Payload();
  evil["prn"] = "mallory";
  size_t dot1 = good.find('.'), dot2 = good.find('.', dot1 + 1);
  std::string forged =
      good.substr(0, dot1 + 1) + Base64UrlEncode(json::serialize(evil)) + good.substr(dot2);
  ExpectRejected(forged, "identity token signature is invalid");
}

TEST_F(IdentityToken, TamperedSignatureIsRejected) {
  std::string token = *SignIdentityToken(key_a_->private_pem, "kid-a", Claims());
  size_t dot2 = token.rfind('.');
  token[dot2 + 5] = token[dot2 + 5] == 'A' ? 'B' : 'A';
  ExpectRejected(token, "signature is invalid");
}

TEST_F(IdentityToken, TokenSignedWithAnotherKeyIsRejected) {
  ExpectRejected(*SignIdentityToken(key_b_->private_pem, "kid-a", Claims()),
                 "identity token signature is invalid");
}

TEST_F(IdentityToken, UnknownKidIsNamed) {
  ExpectRejected(*SignIdentityToken(key_a_->private_pem, "kid-x", Claims()), "unknown kid 'kid-x'");
}

TEST_F(IdentityToken, AlgNoneIsRejected) {
  json::object h = Header();
  h["alg"] = "none";
  std::string unsigned_token =
      Base64UrlEncode(json::serialize(h)) + "." + Base64UrlEncode(json::serialize(Payload())) + ".";
  ExpectRejected(unsigned_token, "alg must be RS256");
  ExpectRejected(Make(h, Payload(), key_a_->private_pem), "alg must be RS256");
}

TEST_F(IdentityToken, Hs256KeyConfusionIsRejected) {
  // The classic attack: HMAC-sign with the public key as the secret.
  json::object h = Header();
  h["alg"] = "HS256";
  std::string signed_part =
      Base64UrlEncode(json::serialize(h)) + "." + Base64UrlEncode(json::serialize(Payload()));
  std::string mac = HmacSha1Hex(key_a_->public_pem, signed_part);  // any MAC will do
  ExpectRejected(signed_part + "." + Base64UrlEncode(mac), "alg must be RS256");
}

TEST_F(IdentityToken, OtherAlgsAndMissingAlgAreRejected) {
  for (json::value alg : {json::value("RS512"), json::value("rs256"), json::value(256)}) {
    json::object h = Header();
    h["alg"] = alg;
    ExpectRejected(Make(h, Payload(), key_a_->private_pem), "alg");
  }
  json::object h = Header();
  h.erase("alg");
  ExpectRejected(Make(h, Payload(), key_a_->private_pem), "alg");
}

TEST_F(IdentityToken, WrongOrMissingCtyIsRejected) {
  for (json::value cty : {json::value("layer-eit;v=2"), json::value("JWT"), json::value(1)}) {
    json::object h = Header();
    h["cty"] = cty;
    ExpectRejected(Make(h, Payload(), key_a_->private_pem), "cty");
  }
  json::object h = Header();
  h.erase("cty");
  ExpectRejected(Make(h, Payload(), key_a_->private_pem), "cty");
}

TEST_F(IdentityToken, WrongTypIsRejected) {
  json::object h = Header();
  h["typ"] = "JWE";
  ExpectRejected(Make(h, Payload(), key_a_->private_pem), "typ");
}

TEST_F(IdentityToken, MissingOrEmptyKidIsRejected) {
  json::object h = Header();
  h["kid"] = "";
  ExpectRejected(Make(h, Payload(), key_a_->private_pem), "kid");
  h.erase("kid");
  ExpectRejected(Make(h, Payload(), key_a_->private_pem), "kid");
}

TEST_F(IdentityToken, EachRequiredClaimIsNamedWhenMissing) {
  for (const char* claim : {"iss", "prn", "nce", "iat", "exp"}) {
    json::object p = Payload();
    p.erase(claim);
    ExpectRejected(Make(Header(), p, key_a_->private_pem), std::string("'") + claim + "'");
  }
}

TEST_F(IdentityToken, ClaimsOfTheWrongTypeAreRejected) {
  const std::pair<const char*, json::value> cases[] = {
      {"prn", json::value(42)},           {"iss", json::value(nullptr)},
      {"iat", json::value("1700000000")}, {"exp", json::value(true)},
      {"exp", json::value(1e300)},        {"iat", json::value(18446744073709551615ull)},
      {"display_name", json::value(7)}};
  for (const auto& [claim, value] : cases) {
    json::object p = Payload();
    p[claim] = value;
    ExpectRejected(Make(Header(), p, key_a_->private_pem), claim);
  }
}

TEST_F(IdentityToken, FractionalTimesAndNullProfileClaimsAreAccepted) {
  json::object p = Payload();
  p["iat"] = 1'700'000'000.5;
  p["display_name"] = nullptr;
  auto claims = VerifyIdentityToken(Make(Header(), p, key_a_->private_pem), ring_);
  ASSERT_TRUE(claims.ok()) << claims.status().message();
  EXPECT_EQ(claims->iat, 1'700'000'000);
  EXPECT_EQ(claims->display_name, "");
}

TEST_F(IdentityToken, MalformedStructureIsRejected) {
  std::string good = *SignIdentityToken(key_a_->private_pem, "kid-a", Claims());
  ExpectRejected("", "empty");
  ExpectRejected("abc", "three dot-separated parts");
  ExpectRejected("a.b", "three dot-separated parts");
  ExpectRejected(good + ".x", "three dot-separated parts");
  ExpectRejected("..", "header");
  ExpectRejected("!!!." + good.substr(good.find('.') + 1), "header is not valid base64url");
  ExpectRejected(good.substr(0, good.rfind('.') + 1), "signature");
  ExpectRejected(good.substr(0, good.rfind('.') + 1) + "a", "signature is not valid base64url");
  ExpectRejected(std::string(20000, 'a'), "too long");
}

TEST_F(IdentityToken, NonJsonPartsAreRejected) {
  ExpectRejected(MakeRaw("not json", json::serialize(Payload()), key_a_->private_pem),
                 "header is not valid JSON");
  ExpectRejected(MakeRaw("[1,2]", json::serialize(Payload()), key_a_->private_pem),
                 "header must be a JSON object");
  ExpectRejected(MakeRaw(json::serialize(Header()), "{\"iss\":", key_a_->private_pem),
                 "payload is not valid JSON");
  ExpectRejected(MakeRaw(json::serialize(Header()), "\"str\"", key_a_->private_pem),
                 "payload must be a JSON object");
}

TEST_F(IdentityToken, RandomGarbageNeverVerifies) {
  std::mt19937 rng(12345);
  const std::string alphabet = "ABCxyz019-_.=+/{}\":, \\\x00\xff";
  for (int i = 0; i < 3000; ++i) {
    std::string s(rng() % 200, '\0');
    for (char& c : s) c = i % 2 ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    auto r = VerifyIdentityToken(s, ring_);
    ASSERT_FALSE(r.ok()) << s;
    EXPECT_EQ(r.status().property(), "identity_token");
  }
}

TEST_F(IdentityToken, MutatedTokensNeverVerifyAsSomethingElse) {
  const std::string good = *SignIdentityToken(key_a_->private_pem, "kid-a", Claims());
  const std::string header_b64 = Base64UrlEncode(json::serialize(Header()));
  std::mt19937 rng(777);
  int accepted = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string t = good;
    switch (rng() % 4) {
      case 0:
        t[rng() % t.size()] = static_cast<char>(rng());
        break;
      case 1:
        t.resize(rng() % t.size());
        break;
      case 2:
        t.insert(rng() % t.size(), 1, "A.=_"[rng() % 4]);
        break;
      case 3:
        t.erase(rng() % t.size(), 1 + rng() % 8);
        break;
    }
    auto r = VerifyIdentityToken(t, ring_);
    if (r.ok()) {
      // Only a change the decoding ignores (e.g. the signature's unused trailing bits) may pass.
      ++accepted;
      EXPECT_EQ(r->prn, "alice");
      EXPECT_EQ(r->nce, "nonce-1");
    }
  }
  EXPECT_LT(accepted, 50);
}

TEST(PublicKeyRing, RejectsBadPem) {
  PublicKeyRing ring;
  for (std::string_view bad :
       {"", "garbage", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"}) {
    Status s = ring.add("k", bad);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidProperty) << bad;
    EXPECT_EQ(s.property(), "public_key");
    EXPECT_NE(s.message().find("not a valid PEM public key"), std::string::npos) << s.message();
  }
  EXPECT_EQ(ring.size(), 0u);
  EXPECT_FALSE(ring.contains("k"));
}

TEST(PublicKeyRing, RejectsNonRsaKeysAndEmptyKid) {
  EVP_PKEY* ec = EVP_EC_gen("P-256");
  ASSERT_NE(ec, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio, ec), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(ec);

  PublicKeyRing ring;
  Status s = ring.add("ec", pem);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not an RSA key"), std::string::npos) << s.message();
  auto rsa = GenerateRsaKeyPair(1024);
  ASSERT_TRUE(rsa.ok());
  EXPECT_FALSE(ring.add("", rsa->public_pem).ok());
}

TEST(PublicKeyRing, AddReplacesAndRemoveForgets) {
  auto a = GenerateRsaKeyPair(1024), b = GenerateRsaKeyPair(1024);
  ASSERT_TRUE(a.ok() && b.ok());
  IdentityClaims c;
  c.iss = "p";
  c.prn = "u";
  c.nce = "n";
  PublicKeyRing ring;
  ASSERT_TRUE(ring.add("k", a->public_pem).ok());
  std::string token_b = *SignIdentityToken(b->private_pem, "k", c);
  EXPECT_FALSE(VerifyIdentityToken(token_b, ring).ok());
  ASSERT_TRUE(ring.add("k", b->public_pem).ok());
  EXPECT_EQ(ring.size(), 1u);
  EXPECT_TRUE(VerifyIdentityToken(token_b, ring).ok());
  EXPECT_TRUE(ring.remove("k"));
  EXPECT_FALSE(ring.remove("k"));
  EXPECT_FALSE(VerifyIdentityToken(token_b, ring).ok());
}

TEST(PublicKeyRing, VerifiesConcurrentlyWhileKeysRotate) {
  auto a = GenerateRsaKeyPair(1024);
  ASSERT_TRUE(a.ok());
  IdentityClaims c;
  c.iss = "p";
  c.prn = "u";
  c.nce = "n";
  PublicKeyRing ring;
  ASSERT_TRUE(ring.add("k", a->public_pem).ok());
  const std::string token = *SignIdentityToken(a->private_pem, "k", c);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!VerifyIdentityToken(token, ring).ok()) ++failures;
      }
    });
  }
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(ring.add("k", a->public_pem).ok());
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(SignIdentityTokenErrors, BadPrivateKeyIsAnError) {
  auto t = SignIdentityToken("not a key", "k", IdentityClaims{});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), ErrorCode::kInternalServerError);
}

}  // namespace
}  // namespace relayer::server
