// Layer identity tokens: RS256 JWTs with cty "layer-eit;v=1", signed by the app's own backend
// and verified against the public keys registered for the app (by `kid`).
// Verification never throws and never crashes: any input yields a value or an error Status
// (kInvalidProperty, property "identity_token", with a message saying what is wrong).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace relayer::server {

// Public keys by key id. add()/remove() may run concurrently with lookups (a shared mutex
// guards the map), so keys can be rotated while the server verifies tokens.
class PublicKeyRing {
 public:
  PublicKeyRing();
  ~PublicKeyRing();
  PublicKeyRing(const PublicKeyRing&) = delete;
  PublicKeyRing& operator=(const PublicKeyRing&) = delete;

  // Registers (or replaces) the RSA public key under `kid`. `pem` is a "BEGIN PUBLIC KEY" or
  // "BEGIN RSA PUBLIC KEY" block; anything else, a non-RSA key or one under 1024 bits is an
  // error (kInvalidProperty, property "public_key").
  Status add(std::string_view kid, std::string_view pem);
  bool remove(std::string_view kid);
  bool contains(std::string_view kid) const;
  size_t size() const;

  struct Impl;  // opaque here; defined in key_ring_impl.h for the verifier
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

struct IdentityClaims {
  std::string kid;  // from the header
  std::string iss, prn, nce;
  std::string display_name, avatar_url, first_name, last_name, email_address, phone_number;
  int64_t iat = 0, exp = 0;  // seconds since the epoch
};

// Checks the token's form, header (alg RS256, typ JWT if present, cty layer-eit;v=1, a known
// kid) and RS256 signature, then reads the claims (iss, prn, nce strings; iat, exp numbers;
// optional profile strings). Does not check times or the issuer: see CheckIdentityClaims.
Result<IdentityClaims> VerifyIdentityToken(std::string_view jwt, const PublicKeyRing& keys);

// iss equals `expected_iss`, prn is non-empty, exp is after `now_seconds`, and iat is neither
// more than 60 s in the future nor older than `max_age_seconds`. The nonce is the store's job.
Status CheckIdentityClaims(const IdentityClaims& claims, std::string_view expected_iss,
                           int64_t now_seconds, int64_t max_age_seconds);

// Signs `claims` (kid from the argument, not claims.kid) with an RSA private key in PEM form
// (PKCS#8 or PKCS#1). Empty optional profile claims are left out. For --dev mode and tests.
Result<std::string> SignIdentityToken(std::string_view private_pem, std::string_view kid,
                                      const IdentityClaims& claims);

}  // namespace relayer::server
