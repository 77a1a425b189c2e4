// Private to server/auth: the key ring's storage, shared with the verifier.
#pragma once

#include <openssl/evp.h>

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "server/auth/jwt.h"

namespace relayer::server {

struct PublicKeyRing::Impl {
  // shared_ptr so a key replaced or removed mid-verification stays alive until that ends.
  std::shared_ptr<EVP_PKEY> Find(std::string_view kid) const {
    std::shared_lock lock(mu);
    auto it = keys.find(kid);
    return it == keys.end() ? nullptr : it->second;
  }

  mutable std::shared_mutex mu;
  std::map<std::string, std::shared_ptr<EVP_PKEY>, std::less<>> keys;
};

}  // namespace relayer::server
