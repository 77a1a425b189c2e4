// Which node reads the delivery outbox. Several nodes share one database, and each runs a delivery
// service; if two of them read the same pending events or the same queue head, a webhook or a push
// would go out twice. So one node at a time holds the outbox: a PostgreSQL session advisory lock,
// held by a connection of its own. PostgreSQL releases it when that session ends (node stopped,
// crashed, or cut off from the database), and the next node to ask takes it over.
//
// The key is per schema (the outbox tables live there), so stores in different schemas of one
// database (the tests') do not exclude each other.
//
// Thread-safe: one mutex around the lock connection; each call is one round trip.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/postgres/connection.h"

namespace relayer::pg {

class OutboxLock {
 public:
  OutboxLock(std::string conninfo, int timeout_seconds)
      : conninfo_(std::move(conninfo)), timeout_seconds_(timeout_seconds) {}

  // Whether this node holds the outbox now. Tries to take it when not held (another holder may
  // have gone); when held, checks that the session holding it is still alive, since a lost
  // connection means the server has released the lock and another node may hold it already.
  bool Held();

  // Gives the outbox up (closes the lock's session). Idempotent; Held() may take it again.
  void Release();

 private:
  const std::string conninfo_;
  const int timeout_seconds_;
  std::mutex mu_;
  std::unique_ptr<Connection> db_;
  bool held_ = false;
};

}  // namespace relayer::pg
