// Recently used sessions in memory, so that an authenticated request costs no store read and no
// hop to the blocking pool. Entries live at most `ttl_ms` (a session deleted through another
// node is honoured within that time; one deleted here is erased at once) and never outlive the
// session's own expiry. Bounded: when full, the entries are dropped wholesale and refill.
// Safe for concurrent use from any thread.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/model.h"

namespace relayer::server {

class SessionCache {
 public:
  SessionCache(size_t capacity, TimeMs ttl_ms) : capacity_(capacity), ttl_ms_(ttl_ms) {}

  // The session of `token` when cached, fresh and unexpired at `now`.
  std::optional<Session> Find(const std::string& token, TimeMs now);
  void Put(const Session& session, TimeMs now);
  void Erase(const std::string& token);

 private:
  struct Entry {
    Session session;
    TimeMs cached_at;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  size_t capacity_;
  TimeMs ttl_ms_;
};

}  // namespace relayer::server
