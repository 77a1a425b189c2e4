#include "server/content/link_signer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "server/auth/crypto.h"

namespace relayer::server {
namespace {

const ContentId kId("0f8fad5b-d9cb-469f-a165-70867728950e");

// "expires=S&signature=SIG" -> {S, SIG}.
std::pair<std::string, std::string> Split(const std::string& query) {
  auto amp = query.find('&');
  return {query.substr(8, amp - 8), query.substr(amp + 11)};
}

TEST(LinkSigner, AcceptsItsOwnLinkUntilItExpires) {
  LinkSigner signer(std::string(43, 's'));
  auto [expires, sig] = Split(signer.Query("GET", kId, 1000));
  EXPECT_EQ(expires, "1000");
  EXPECT_EQ(signer.Verify("GET", kId, expires, sig, 999), LinkSigner::Check::kOk);
  EXPECT_EQ(signer.Verify("GET", kId, expires, sig, 1000), LinkSigner::Check::kOk);
  EXPECT_EQ(signer.Verify("GET", kId, expires, sig, 1001), LinkSigner::Check::kExpired);
}

TEST(LinkSigner, RefusesChangedMethodIdExpiryOrSignature) {
  LinkSigner signer(std::string(43, 's'));
  auto [expires, sig] = Split(signer.Query("PUT", kId, 1000));
  EXPECT_EQ(signer.Verify("GET", kId, expires, sig, 0), LinkSigner::Check::kBadSignature);
  EXPECT_EQ(
      signer.Verify("PUT", ContentId("1f8fad5b-d9cb-469f-a165-70867728950e"), expires, sig, 0),
      LinkSigner::Check::kBadSignature);
  EXPECT_EQ(signer.Verify("PUT", kId, "1001", sig, 0), LinkSigner::Check::kBadSignature);
  for (const char* bad : {"", "-1", "1e3", "1000 ", "abc"}) {
    EXPECT_EQ(signer.Verify("PUT", kId, bad, sig, 0), LinkSigner::Check::kBadSignature) << bad;
  }
  std::string tampered = sig;
  tampered[0] = tampered[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(signer.Verify("PUT", kId, expires, tampered, 0), LinkSigner::Check::kBadSignature);
  EXPECT_EQ(signer.Verify("PUT", kId, expires, "", 0), LinkSigner::Check::kBadSignature);
  // Another server's secret signs differently.
  LinkSigner other(std::string(43, 't'));
  EXPECT_EQ(other.Verify("PUT", kId, expires, sig, 0), LinkSigner::Check::kBadSignature);
}

TEST(LinkSigner, SecretIsCreatedOnceAndKeptPrivate) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("relayer-signer-" + RandomUuid());
  fs::create_directories(dir);
  std::string first, second;
  ASSERT_TRUE(LinkSigner::LoadOrCreateSecret(dir.string(), first).ok());
  ASSERT_TRUE(LinkSigner::LoadOrCreateSecret(dir.string(), second).ok());
  EXPECT_GE(first.size(), 32u);
  EXPECT_EQ(first, second);
  auto perms = fs::status(dir / "content-link.key").permissions();
  EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace relayer::server
