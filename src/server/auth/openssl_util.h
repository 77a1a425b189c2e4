// Private to server/auth: owning pointers for OpenSSL objects and PEM key loading.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace relayer::server::ossl {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// The reason of the most recent OpenSSL error on this thread (and clears the queue).
std::string LastError();

// Parses a PEM public key (SubjectPublicKeyInfo or PKCS#1 "RSA PUBLIC KEY").
Result<PkeyPtr> LoadPublicKeyPem(std::string_view pem);
// Parses a PEM private key (PKCS#8 or PKCS#1 "RSA PRIVATE KEY"), unencrypted.
Result<PkeyPtr> LoadPrivateKeyPem(std::string_view pem);

}  // namespace relayer::server::ossl
