#include <gtest/gtest.h>

#include "server/auth/jwt.h"

namespace relayer::server {
namespace {

constexpr int64_t kNow = 1'700'000'000;
constexpr int64_t kMaxAge = 24 * 3600;

IdentityClaims Valid() {
  IdentityClaims c;
  c.iss = "provider-1";
  c.prn = "alice";
  c.nce = "nonce";
  c.iat = kNow - 10;
  c.exp = kNow + 600;
  return c;
}

Status Check(const IdentityClaims& c) {
  return CheckIdentityClaims(c, "provider-1", kNow, kMaxAge);
}

TEST(IdentityClaimsCheck, AcceptsFreshTokenFromTheProvider) { EXPECT_TRUE(Check(Valid()).ok()); }

TEST(IdentityClaimsCheck, RejectsOtherIssuer) {
  IdentityClaims c = Valid();
  c.iss = "provider-2";
  Status s = Check(c);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(s.property(), "identity_token");
  EXPECT_NE(s.message().find("iss"), std::string::npos);
}

TEST(IdentityClaimsCheck, RejectsEmptyPrn) {
  IdentityClaims c = Valid();
  c.prn.clear();
  EXPECT_NE(Check(c).message().find("prn"), std::string::npos);
}

TEST(IdentityClaimsCheck, RejectsExpiredToken) {
  IdentityClaims c = Valid();
  c.exp = kNow;
  EXPECT_NE(Check(c).message().find("expired"), std::string::npos);
  c.exp = kNow + 1;
  EXPECT_TRUE(Check(c).ok());
}

TEST(IdentityClaimsCheck, ToleratesOneMinuteOfClockSkew) {
  IdentityClaims c = Valid();
  c.iat = kNow + 60;
  EXPECT_TRUE(Check(c).ok());
  c.iat = kNow + 61;
  EXPECT_NE(Check(c).message().find("future"), std::string::npos);
}

TEST(IdentityClaimsCheck, RejectsTokensOlderThanMaxAge) {
  IdentityClaims c = Valid();
  c.iat = kNow - kMaxAge;
  EXPECT_TRUE(Check(c).ok());
  c.iat = kNow - kMaxAge - 1;
  EXPECT_NE(Check(c).message().find("too old"), std::string::npos);
}

}  // namespace
}  // namespace relayer::server
