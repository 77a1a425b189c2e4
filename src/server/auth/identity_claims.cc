// Time and issuer rules for verified identity tokens (split from jwt.cc: no crypto here).
#include "server/auth/jwt.h"

namespace relayer::server {
namespace {

// Tolerated clock skew between the app's token signer and this server.
constexpr int64_t kMaxFutureSkewSeconds = 60;

}  // namespace

Status CheckIdentityClaims(const IdentityClaims& claims, std::string_view expected_iss,
                           int64_t now_seconds, int64_t max_age_seconds) {
  auto error = [](std::string m) { return InvalidProperty("identity_token", std::move(m)); };
  if (claims.iss != expected_iss) {
    return error("identity token issuer (iss) '" + claims.iss.substr(0, 64) +
                 "' is not this app's identity provider '" + std::string(expected_iss) + "'");
  }
  if (claims.prn.empty()) return error("identity token prn (the user id) is empty");
  if (claims.exp <= now_seconds) return error("identity token has expired (exp is in the past)");
  if (claims.iat > now_seconds + kMaxFutureSkewSeconds) {
    return error("identity token is issued in the future (iat); check the signer's clock");
  }
  if (claims.iat < now_seconds - max_age_seconds) {
    return error("identity token is too old: iat is more than " + std::to_string(max_age_seconds) +
                 " seconds ago");
  }
  return Status::Ok();
}

}  // namespace relayer::server
