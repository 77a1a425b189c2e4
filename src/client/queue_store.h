// The send queue's persistence: a small SQLite file holding each user's queued operations (and
// the timestamp of the last change seen, for Event.replay), so that an application restart
// loses nothing. Thread-safe (its own mutex): sends are persisted in the caller's thread. Without a
// path, nothing is kept (all no-ops).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

struct sqlite3;

namespace relayer::sdk::net {

struct QueuedOp {
  int64_t seq = 0;        // queue order; the row id
  std::string kind;       // "conversation", "message", "receipt", "patch"
  std::string method;     // POST, PATCH
  std::string path;       // request target below the server URL
  std::string body;       // JSON
  std::string object_id;  // the conversation or message it creates/touches
};

class QueueStore {
 public:
  QueueStore() = default;
  ~QueueStore();
  QueueStore(const QueueStore&) = delete;
  QueueStore& operator=(const QueueStore&) = delete;

  // Opens (creating) the file; an empty path keeps nothing. Returns "" or an error text.
  std::string Open(const std::string& path);
  bool persistent() const { return db_ != nullptr; }

  // Appends for `user`; sets op.seq.
  void Add(const std::string& user, QueuedOp& op);
  void Update(const QueuedOp& op);  // path and body (after an upload or a conversation merge)
  void Remove(int64_t seq);
  std::vector<QueuedOp> Load(const std::string& user);

  std::string LastChange(const std::string& user);
  void SetLastChange(const std::string& user, const std::string& timestamp);

 private:
  void Exec(const char* sql);
  std::mutex mu_;
  sqlite3* db_ = nullptr;
  int64_t next_memory_seq_ = 1;
};

}  // namespace relayer::sdk::net
