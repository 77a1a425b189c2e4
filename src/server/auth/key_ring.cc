#include <openssl/evp.h>

#include <mutex>

#include "server/auth/jwt.h"
#include "server/auth/key_ring_impl.h"
#include "server/auth/openssl_util.h"

namespace relayer::server {

PublicKeyRing::PublicKeyRing() : impl_(std::make_unique<Impl>()) {}
PublicKeyRing::~PublicKeyRing() = default;

Status PublicKeyRing::add(std::string_view kid, std::string_view pem) {
  if (kid.empty()) return InvalidProperty("kid", "a key id (kid) must not be empty");
  auto key = ossl::LoadPublicKeyPem(pem);
  if (!key.ok()) {
    return InvalidProperty("public_key",
                           "key '" + std::string(kid) + "': " + key.status().message());
  }
  if (!EVP_PKEY_is_a(key->get(), "RSA")) {
    return InvalidProperty("public_key", "key '" + std::string(kid) +
                                             "' is not an RSA key; identity tokens use RS256");
  }
  if (EVP_PKEY_get_bits(key->get()) < 1024) {
    return InvalidProperty("public_key",
                           "key '" + std::string(kid) + "' is shorter than 1024 bits");
  }
  std::shared_ptr<EVP_PKEY> shared(key->release(), ossl::PkeyFree());
  std::unique_lock lock(impl_->mu);
  impl_->keys.insert_or_assign(std::string(kid), std::move(shared));
  return Status::Ok();
}

bool PublicKeyRing::remove(std::string_view kid) {
  std::unique_lock lock(impl_->mu);
  auto it = impl_->keys.find(kid);
  if (it == impl_->keys.end()) return false;
  impl_->keys.erase(it);
  return true;
}

bool PublicKeyRing::contains(std::string_view kid) const { return impl_->Find(kid) != nullptr; }

size_t PublicKeyRing::size() const {
  std::shared_lock lock(impl_->mu);
  return impl_->keys.size();
}

}  // namespace relayer::server
