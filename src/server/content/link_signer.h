// Signed, expiring links for content uploads (PUT) and downloads (GET): the query string carries
// `expires` (Unix seconds) and `signature`, the base64url HMAC-SHA256 of
// "VERB\nCONTENT-ID\nEXPIRES" keyed by a per-server secret. The link is the credential (the Web SDK
// fetches download_url with no session header), so it names one content, one purpose, and a
// deadline. Immutable after construction: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/status.h"

namespace relayer::server {

class LinkSigner {
 public:
  // The secret is in <data_dir>/content-link.key (random, created on first start, mode 0600), so
  // links survive restarts; deleting the file revokes every link.
  static Status LoadOrCreateSecret(const std::string& data_dir, std::string& secret);
  explicit LinkSigner(std::string secret) : secret_(std::move(secret)) {}

  // "expires=S&signature=SIG" for `verb` ("GET" or "PUT") on content `id`.
  std::string Query(std::string_view verb, const ContentId& id, int64_t expires_s) const;

  enum class Check { kOk, kExpired, kBadSignature };
  // Checks the query values of a link; `expires` and `signature` are untrusted text.
  Check Verify(std::string_view verb, const ContentId& id, std::string_view expires,
               std::string_view signature, int64_t now_s) const;

 private:
  std::string Sign(std::string_view verb, const ContentId& id, int64_t expires_s) const;
  std::string secret_;
};

}  // namespace relayer::server
