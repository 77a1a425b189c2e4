// Cryptographic building blocks for authentication: random tokens and UUIDs, base64, RSA key
// generation and HMAC. Thin wrappers over OpenSSL 3; every function is safe to call from any
// thread. Decoders take untrusted input and return nullopt on anything malformed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace relayer::server {

// `bytes` random bytes from the OpenSSL CSPRNG, base64url-encoded without padding.
std::string RandomToken(size_t bytes);
// A random (version 4) UUID in lower-case 8-4-4-4-12 form.
std::string RandomUuid();
// A time-ordered (version 7, RFC 9562) UUID: the Unix time in milliseconds, then 74 random bits.
// Ids the server makes up for messages and conversations: they sort by creation time, so each
// lands at the end of the id index instead of dirtying a random page of it.
std::string TimeOrderedUuid(int64_t unix_ms);

// RFC 4648 section 5 (URL and filename safe), without padding.
std::string Base64UrlEncode(std::string_view data);
// Accepts base64url with or without '=' padding; nullopt on any other character or bad length.
std::optional<std::string> Base64UrlDecode(std::string_view text);
// RFC 4648 section 4 (standard alphabet), with padding.
std::string Base64Encode(std::string_view data);
// Accepts standard base64 with or without padding; no whitespace.
std::optional<std::string> Base64Decode(std::string_view text);

struct RsaKeyPair {
  std::string private_pem;  // PKCS#8 "BEGIN PRIVATE KEY"
  std::string public_pem;   // SubjectPublicKeyInfo "BEGIN PUBLIC KEY"
};
// A fresh RSA key pair; bits must be in [1024, 16384].
Result<RsaKeyPair> GenerateRsaKeyPair(int bits = 2048);

// The RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature of `data`, raw bytes, with an RSA private
// key in PEM form (PKCS#8 or PKCS#1, unencrypted). Errors are kInternalServerError: the key is
// the server's own configuration.
Result<std::string> SignRs256(std::string_view private_pem, std::string_view data);

// Lower-case hex HMAC-SHA1 of `data` keyed by `key` (Layer's webhook signature).
std::string HmacSha1Hex(std::string_view key, std::string_view data);

}  // namespace relayer::server
