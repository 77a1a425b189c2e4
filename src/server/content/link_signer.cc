#include "server/content/link_signer.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "server/auth/crypto.h"

namespace relayer::server {

namespace fs = std::filesystem;

Status LinkSigner::LoadOrCreateSecret(const std::string& data_dir, std::string& secret) {
  fs::path path = fs::path(data_dir) / "content-link.key";
  {
    std::ifstream in(path);
    if (in && std::getline(in, secret)) {
      if (secret.size() < 32) {
        return Status(ErrorCode::kServiceUnavailable,
                      path.string() + " holds no usable secret (delete it to make a new one)");
      }
      return Status::Ok();
    }
  }
  secret = RandomToken(32);
  // Written under a temporary name and renamed, so a crash never leaves a half-written secret.
  fs::path temp = path;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    if (!out) return Status(ErrorCode::kServiceUnavailable, "cannot write " + temp.string());
    out << secret << "\n";
    if (!out.flush())
      return Status(ErrorCode::kServiceUnavailable, "cannot write " + temp.string());
  }
  std::error_code ec;
  fs::permissions(temp, fs::perms::owner_read | fs::perms::owner_write, ec);
  fs::rename(temp, path, ec);
  if (ec) return Status(ErrorCode::kServiceUnavailable, "cannot create " + path.string());
  return Status::Ok();
}

std::string LinkSigner::Sign(std::string_view verb, const ContentId& id, int64_t expires_s) const {
  std::string data = std::string(verb) + "\n" + id.str() + "\n" + std::to_string(expires_s);
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr,
                 reinterpret_cast<const unsigned char*>(secret_.data()), secret_.size(),
                 reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, sizeof mac,
                 &len)) {
    // Only fails without SHA-256 in the provider: a broken installation.
    std::fprintf(stderr, "relayer: HMAC-SHA256 failed\n");
    std::abort();
  }
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

std::string LinkSigner::Query(std::string_view verb, const ContentId& id, int64_t expires_s) const {
  return "expires=" + std::to_string(expires_s) + "&signature=" + Sign(verb, id, expires_s);
}

LinkSigner::Check LinkSigner::Verify(std::string_view verb, const ContentId& id,
                                     std::string_view expires, std::string_view signature,
                                     int64_t now_s) const {
  int64_t expires_s = 0;
  auto [end, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), expires_s);
  if (ec != std::errc() || end != expires.data() + expires.size() || expires.empty())
    return Check::kBadSignature;
  const std::string expected = Sign(verb, id, expires_s);
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return Check::kBadSignature;
  }
  return expires_s < now_s ? Check::kExpired : Check::kOk;
}

}  // namespace relayer::server
