#include "server/auth/crypto.h"

#include <gtest/gtest.h>

#include <set>

#include "core/ids.h"

namespace relayer::server {
namespace {

TEST(RandomToken, IsUnpaddedBase64UrlOfRequestedLength) {
  std::string t = RandomToken(32);
  EXPECT_EQ(t.size(), 43u);  // ceil(32 * 4 / 3), no padding
  EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(Base64UrlDecode(t)->size(), 32u);
  EXPECT_NE(RandomToken(32), t);
  EXPECT_EQ(RandomToken(0), "");
}

TEST(RandomUuid, IsLowerCaseVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = RandomUuid();
    ASSERT_TRUE(IsUuid(u)) << u;
    EXPECT_EQ(CanonicalUuid(u), u);  // already lower-case
    EXPECT_EQ(u[14], '4');
    EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos) << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(TimeOrderedUuid, IsVersion7AndSortsByTime) {
  std::set<std::string> seen;
  std::string previous;
  for (int64_t ms = 1764685800000; ms < 1764685800000 + 500; ++ms) {
    std::string u = TimeOrderedUuid(ms);
    ASSERT_TRUE(IsUuid(u)) << u;
    EXPECT_EQ(CanonicalUuid(u), u);
    EXPECT_EQ(u[14], '7');
    EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos) << u;
    EXPECT_LT(previous, u);  // a later millisecond sorts after
    previous = u;
    seen.insert(TimeOrderedUuid(ms));  // the same millisecond still gives distinct ids
    seen.insert(TimeOrderedUuid(ms));
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(TimeOrderedUuid(0x0123456789ab).substr(0, 13), "01234567-89ab");
}

TEST(Base64, MatchesRfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(Base64Decode(encoded), plain);
    std::string unpadded(encoded);
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
    EXPECT_EQ(Base64UrlEncode(plain), unpadded);
    EXPECT_EQ(Base64UrlDecode(unpadded), plain);
    EXPECT_EQ(Base64UrlDecode(encoded), plain);  // padding tolerated
    EXPECT_EQ(Base64Decode(unpadded), plain);
  }
}

TEST(Base64, UrlAndStandardAlphabetsDiffer) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(Base64Encode(bytes), "+/+/");
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_FALSE(Base64UrlDecode("+/+/"));
  EXPECT_FALSE(Base64Decode("-_-_"));
}

TEST(Base64, RoundTripsEveryLengthOfRandomBytes) {
  for (size_t n = 0; n < 70; ++n) {
    std::string bytes = *Base64UrlDecode(RandomToken(n));
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes);
  }
}

TEST(Base64, RejectsMalformedInput) {
  for (std::string_view bad : std::initializer_list<std::string_view>{
           "Z", "Zg=", "Zg===", "Zm9v!", "Zm 9v", "=Zg=", "Zm9vY===", "Zm9v\n",
           std::string_view("Zm\0v", 4)}) {
    EXPECT_FALSE(Base64Decode(bad)) << bad;
    EXPECT_FALSE(Base64UrlDecode(bad)) << bad;
  }
}

TEST(HmacSha1, MatchesRfc2202Vectors) {
  EXPECT_EQ(HmacSha1Hex(std::string(20, '\x0b'), "Hi There"),
            "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(HmacSha1Hex("Jefe", "what do ya want for nothing?"),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(HmacSha1Hex(std::string(80, '\xaa'),
                        "Test Using Larger Than Block-Size Key - Hash Key First"),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST(HmacSha1, EmptyKeyAndDataWork) {
  EXPECT_EQ(HmacSha1Hex("", ""), "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
}

TEST(RsaKeys, GeneratesPemPair) {
  auto pair = GenerateRsaKeyPair(2048);
  ASSERT_TRUE(pair.ok()) << pair.status().message();
  EXPECT_EQ(pair->private_pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  EXPECT_EQ(pair->public_pem.rfind("-----BEGIN PUBLIC KEY-----", 0), 0u);
  auto sig = SignRs256(pair->private_pem, "data");
  ASSERT_TRUE(sig.ok()) << sig.status().message();
  EXPECT_EQ(sig->size(), 256u);
}

TEST(RsaKeys, RejectsUnreasonableSizes) {
  EXPECT_FALSE(GenerateRsaKeyPair(512).ok());
  EXPECT_FALSE(GenerateRsaKeyPair(-1).ok());
  EXPECT_FALSE(GenerateRsaKeyPair(1 << 20).ok());
}

TEST(RsaKeys, SigningWithGarbagePemIsAnError) {
  auto sig = SignRs256("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n", "x");
  ASSERT_FALSE(sig.ok());
  EXPECT_EQ(sig.status().code(), ErrorCode::kInternalServerError);
}

}  // namespace
}  // namespace relayer::server
