#include "server/auth/openssl_util.h"

#include <openssl/decoder.h>
#include <openssl/err.h>

namespace relayer::server::ossl {
namespace {

// Never prompt for a passphrase: an encrypted key is simply an error.
int NoPassphrase(char*, size_t, size_t*, const OSSL_PARAM[], void*) { return 0; }

Result<PkeyPtr> DecodePem(std::string_view pem, int selection, const char* what) {
  ERR_clear_error();
  EVP_PKEY* raw = nullptr;
  OSSL_DECODER_CTX* ctx =
      OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", nullptr, nullptr, selection, nullptr, nullptr);
  if (!ctx) return Internal("cannot create an OpenSSL decoder: " + LastError());
  OSSL_DECODER_CTX_set_passphrase_cb(ctx, NoPassphrase, nullptr);
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  size_t len = pem.size();
  int ok = OSSL_DECODER_from_data(ctx, &data, &len);
  OSSL_DECODER_CTX_free(ctx);
  PkeyPtr key(raw);
  if (!ok || !key) {
    std::string why = LastError();
    return InvalidRequest(std::string("not a valid PEM ") + what +
                          (why.empty() ? "" : " (" + why + ")"));
  }
  ERR_clear_error();
  return key;
}

}  // namespace

std::string LastError() {
  unsigned long code = ERR_peek_last_error();
  std::string out;
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    out = buf;
  }
  ERR_clear_error();
  return out;
}

Result<PkeyPtr> LoadPublicKeyPem(std::string_view pem) {
  return DecodePem(pem, EVP_PKEY_PUBLIC_KEY, "public key");
}

Result<PkeyPtr> LoadPrivateKeyPem(std::string_view pem) {
  return DecodePem(pem, EVP_PKEY_KEYPAIR, "private key");
}

}  // namespace relayer::server::ossl
