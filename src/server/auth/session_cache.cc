#include "server/auth/session_cache.h"

namespace relayer::server {

std::optional<Session> SessionCache::Find(const std::string& token, TimeMs now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(token);
  if (it == entries_.end()) return std::nullopt;
  if (now - it->second.cached_at >= ttl_ms_ || it->second.session.expires_at <= now) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.session;
}

void SessionCache::Put(const Session& session, TimeMs now) {
  if (capacity_ == 0 || ttl_ms_ <= 0) return;
  std::lock_guard lock(mu_);
  // Dropping everything is crude but O(1) amortised, and a miss only costs one store read.
  if (entries_.size() >= capacity_) entries_.clear();
  entries_.insert_or_assign(session.token.str(), Entry{session, now});
}

void SessionCache::Erase(const std::string& token) {
  std::lock_guard lock(mu_);
  entries_.erase(token);
}

}  // namespace relayer::server
