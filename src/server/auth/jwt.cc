// RS256 verification and signing of Layer identity tokens (JWS compact serialization).
#include "server/auth/jwt.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <limits>

#include "server/auth/crypto.h"
#include "server/auth/key_ring_impl.h"
#include "server/auth/openssl_util.h"

namespace relayer::server {
namespace {

namespace json = boost::json;

constexpr std::string_view kLayerCty = "layer-eit;v=1";
// Real tokens are well under 2 KB; the cap bounds the work done for a hostile request.
constexpr size_t kMaxTokenBytes = 16 * 1024;

Status TokenError(std::string message) {
  return InvalidProperty("identity_token", std::move(message));
}

// Quotes attacker-supplied text in an error message, shortened.
std::string Quote(std::string_view s) {
  constexpr size_t kMax = 64;
  return "'" + std::string(s.substr(0, kMax)) + (s.size() > kMax ? "...'" : "'");
}

Result<json::object> DecodeJsonPart(std::string_view b64, const char* part) {
  auto text = Base64UrlDecode(b64);
  if (!text) return TokenError(std::string("identity token ") + part + " is not valid base64url");
  json::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec) return TokenError(std::string("identity token ") + part + " is not valid JSON");
  if (!v.is_object()) {
    return TokenError(std::string("identity token ") + part + " must be a JSON object");
  }
  return std::move(v.get_object());
}

Status RequiredString(const json::object& obj, std::string_view name, std::string& out) {
  const json::value* v = obj.if_contains(name);
  if (!v) return TokenError("identity token lacks the '" + std::string(name) + "' claim");
  if (!v->is_string()) {
    return TokenError("identity token claim '" + std::string(name) + "' must be a string");
  }
  out = std::string(v->get_string());
  return Status::Ok();
}

Status OptionalString(const json::object& obj, std::string_view name, std::string& out) {
  const json::value* v = obj.if_contains(name);
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_string()) {
    return TokenError("identity token claim '" + std::string(name) + "' must be a string");
  }
  out = std::string(v->get_string());
  return Status::Ok();
}

Status RequiredSeconds(const json::object& obj, std::string_view name, int64_t& out) {
  const json::value* v = obj.if_contains(name);
  if (!v) return TokenError("identity token lacks the '" + std::string(name) + "' claim");
  const std::string bad = "identity token claim '" + std::string(name) +
                          "' must be a number of seconds since the epoch";
  if (v->is_int64()) {
    out = v->get_int64();
  } else if (v->is_uint64()) {
    if (v->get_uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return TokenError(bad);
    }
    out = static_cast<int64_t>(v->get_uint64());
  } else if (v->is_double()) {
    double d = v->get_double();
    // 2^62 keeps the conversion defined and far beyond any real date.
    if (!std::isfinite(d) || std::fabs(d) > 4.6e18) return TokenError(bad);
    out = static_cast<int64_t>(d);
  } else {
    return TokenError(bad);
  }
  return Status::Ok();
}

Status CheckHeader(const json::object& header, IdentityClaims& claims) {
  const json::value* alg = header.if_contains("alg");
  if (!alg || !alg->is_string()) return TokenError("identity token header lacks 'alg'");
  if (alg->get_string() != "RS256") {
    return TokenError("identity token alg must be RS256, got " + Quote(alg->get_string()));
  }
  if (const json::value* typ = header.if_contains("typ")) {
    if (!typ->is_string() || (typ->get_string() != "JWT" && typ->get_string() != "jwt")) {
      return TokenError("identity token typ must be JWT");
    }
  }
  const json::value* cty = header.if_contains("cty");
  if (!cty || !cty->is_string() || cty->get_string() != kLayerCty) {
    return TokenError("identity token cty must be \"layer-eit;v=1\"");
  }
  const json::value* kid = header.if_contains("kid");
  if (!kid || !kid->is_string() || kid->get_string().empty()) {
    return TokenError("identity token header lacks 'kid'");
  }
  claims.kid = std::string(kid->get_string());
  return Status::Ok();
}

bool VerifyRs256(EVP_PKEY* key, std::string_view signed_part, std::string_view signature) {
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok =
      ctx &&
      EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(signed_part.data()),
                       signed_part.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace

Result<IdentityClaims> VerifyIdentityToken(std::string_view jwt, const PublicKeyRing& keys) {
  if (jwt.empty()) return TokenError("identity token is empty");
  if (jwt.size() > kMaxTokenBytes) return TokenError("identity token is too long");
  size_t dot1 = jwt.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : jwt.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || jwt.find('.', dot2 + 1) != std::string_view::npos) {
    return TokenError("identity token must be a JWT of three dot-separated parts");
  }
  std::string_view header_b64 = jwt.substr(0, dot1);
  std::string_view payload_b64 = jwt.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view signature_b64 = jwt.substr(dot2 + 1);

  IdentityClaims claims;
  auto header = DecodeJsonPart(header_b64, "header");
  if (!header.ok()) return header.status();
  if (Status s = CheckHeader(*header, claims); !s.ok()) return s;
  std::shared_ptr<EVP_PKEY> key = keys.impl().Find(claims.kid);
  if (!key) return TokenError("identity token names an unknown kid " + Quote(claims.kid));

  auto signature = Base64UrlDecode(signature_b64);
  if (!signature || signature->empty()) {
    return TokenError("identity token signature is not valid base64url");
  }
  if (!VerifyRs256(key.get(), jwt.substr(0, dot2), *signature)) {
    return TokenError("identity token signature is invalid");
  }

  auto payload = DecodeJsonPart(payload_b64, "payload");
  if (!payload.ok()) return payload.status();
  const json::object& p = *payload;
  for (Status s : {RequiredString(p, "iss", claims.iss), RequiredString(p, "prn", claims.prn),
                   RequiredString(p, "nce", claims.nce), RequiredSeconds(p, "iat", claims.iat),
                   RequiredSeconds(p, "exp", claims.exp),
                   OptionalString(p, "display_name", claims.display_name),
                   OptionalString(p, "avatar_url", claims.avatar_url),
                   OptionalString(p, "first_name", claims.first_name),
                   OptionalString(p, "last_name", claims.last_name),
                   OptionalString(p, "email_address", claims.email_address),
                   OptionalString(p, "phone_number", claims.phone_number)}) {
    if (!s.ok()) return s;
  }
  return claims;
}

Result<std::string> SignIdentityToken(std::string_view private_pem, std::string_view kid,
                                      const IdentityClaims& claims) {
  json::object header{{"typ", "JWT"}, {"alg", "RS256"}, {"cty", kLayerCty}, {"kid", kid}};
  json::object payload{{"iss", claims.iss},
                       {"prn", claims.prn},
                       {"iat", claims.iat},
                       {"exp", claims.exp},
                       {"nce", claims.nce}};
  for (auto [name, value] :
       {std::pair<const char*, const std::string*>{"display_name", &claims.display_name},
        {"avatar_url", &claims.avatar_url},
        {"first_name", &claims.first_name},
        {"last_name", &claims.last_name},
        {"email_address", &claims.email_address},
        {"phone_number", &claims.phone_number}}) {
    if (!value->empty()) payload[name] = *value;
  }
  std::string signed_part =
      Base64UrlEncode(json::serialize(header)) + "." + Base64UrlEncode(json::serialize(payload));

  auto signature = SignRs256(private_pem, signed_part);
  if (!signature.ok())
    return Internal("cannot sign identity token: " + signature.status().message());
  return signed_part + "." + Base64UrlEncode(*signature);
}

}  // namespace relayer::server
