// The PostgreSQL Store: a group-commit writer with its own connection, and a pool of read
// connections lent to one caller at a time.
#include "store/postgres/pg_store.h"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <vector>

#include "store/postgres/connection.h"
#include "store/postgres/ops.h"
#include "store/postgres/outbox_lock.h"
#include "store/postgres/reads.h"
#include "store/postgres/schema.h"
#include "store/postgres/writer.h"

namespace relayer {
namespace {

using pg::Connection;

// At most `size` read connections, opened on demand. A caller waits while all are lent out; a
// connection found broken is dropped (and a new one opened by the next caller).
class ReaderPool {
 public:
  ReaderPool(std::string uri, size_t size, int timeout)
      : uri_(std::move(uri)), size_(size == 0 ? 1 : size), timeout_(timeout) {}

  Result<std::unique_ptr<Connection>> Take() {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
      if (!idle_.empty()) {
        auto db = std::move(idle_.back());
        idle_.pop_back();
        return db;
      }
      ++open_;  // reserved; connected outside the lock
    }
    auto db = Connection::Open(uri_, timeout_);
    if (!db.ok()) Drop();
    return db;
  }

  void Return(std::unique_ptr<Connection> db) {
    if (!db->alive()) {
      db.reset();
      Drop();
      return;
    }
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(db));
    cv_.notify_one();
  }

 private:
  void Drop() {
    std::lock_guard lock(mu_);
    --open_;
    cv_.notify_one();
  }

  const std::string uri_;
  const size_t size_;
  const int timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t open_ = 0;
};

class PgStore final : public Store {
 public:
  PgStore(const PgOptions& options, std::unique_ptr<Connection> writer_db)
      : limits_(options.limits),
        readers_(options.uri, options.pool_size, options.connect_timeout_seconds),
        outbox_(options.uri, options.connect_timeout_seconds),
        writer_(
            options.uri, std::move(writer_db), options.max_batch,
            [this](Connection& db, const WriteOp& op) { return pg::ApplyWrite(db, limits_, op); }) {
  }

  ~PgStore() override { Close(); }

  void Submit(WriteOp op, WriteCallback done) override {
    writer_.Submit(std::move(op), std::move(done));
  }
  void Close() override {
    writer_.Close();
    outbox_.Release();  // another node takes the outbox over
  }

  StoreStats Stats() const override {
    return StoreStats{writer_.commits(), writer_.committed_ops(), writer_.max_batch_seen()};
  }

  Result<Session> GetSession(const SessionToken& token) override {
    return Read<Session>([&](Connection& db) { return pg::ReadSession(db, token); });
  }
  Result<Identity> GetIdentity(const AppId& app, const UserId& user) override {
    return Read<Identity>([&](Connection& db) { return pg::ReadIdentity(db, app, user); });
  }
  Result<Conversation> GetConversation(const AppId& app, const UserId& viewer,
                                       const ConversationId& id) override {
    return Read<Conversation>(
        [&](Connection& db) { return pg::ReadConversation(db, app, viewer, id); });
  }
  Result<ConversationList> ListConversations(const AppId& app, const UserId& viewer,
                                             ConversationSort sort, const Page& page) override {
    return Read<ConversationList>([&](Connection& db) {
      return pg::ReadConversations(db, limits_, app, viewer, sort, page);
    });
  }
  Result<Message> GetMessage(const AppId& app, const UserId& viewer, const MessageId& id) override {
    return Read<Message>([&](Connection& db) { return pg::ReadMessage(db, app, viewer, id); });
  }
  Result<MessageList> ListMessages(const AppId& app, const UserId& viewer,
                                   const ConversationId& conversation, const Page& page) override {
    return Read<MessageList>([&](Connection& db) {
      return pg::ReadMessages(db, limits_, app, viewer, conversation, page);
    });
  }
  Result<Message> GetAnnouncement(const AppId& app, const UserId& viewer,
                                  const MessageId& id) override {
    return Read<Message>([&](Connection& db) { return pg::ReadAnnouncement(db, app, viewer, id); });
  }
  Result<MessageList> ListAnnouncements(const AppId& app, const UserId& viewer,
                                        const Page& page) override {
    return Read<MessageList>(
        [&](Connection& db) { return pg::ReadAnnouncements(db, limits_, app, viewer, page); });
  }
  Result<std::vector<UserId>> ListBlocks(const AppId& app, const UserId& owner) override {
    return Read<std::vector<UserId>>(
        [&](Connection& db) { return pg::ReadBlocks(db, app, owner); });
  }
  Result<Badge> GetBadge(const AppId& app, const UserId& user) override {
    return Read<Badge>([&](Connection& db) { return pg::ReadBadge(db, app, user); });
  }
  Result<std::optional<DedupEntry>> FindDedup(const AppId& app, const std::string& key,
                                              TimeMs now) override {
    return Read<std::optional<DedupEntry>>(
        [&](Connection& db) { return pg::ReadDedup(db, app, key, now); });
  }
  Result<std::vector<Change>> ChangesFor(const AppId& app, const UserId& viewer, int64_t after_seq,
                                         TimeMs from_ts, size_t limit) override {
    return Read<std::vector<Change>>([&](Connection& db) {
      return pg::ReadChanges(db, app, viewer, after_seq, from_ts, limit);
    });
  }
  Result<std::vector<PushToken>> PushTokens(const AppId& app,
                                            const std::vector<UserId>& users) override {
    return Read<std::vector<PushToken>>(
        [&](Connection& db) { return pg::ReadPushTokens(db, app, users); });
  }
  Result<std::vector<Webhook>> ListWebhooks(const AppId& app) override {
    return Read<std::vector<Webhook>>([&](Connection& db) { return pg::ReadWebhooks(db, app); });
  }
  Result<Webhook> GetWebhook(const AppId& app, const std::string& id) override {
    return Read<Webhook>([&](Connection& db) { return pg::ReadWebhook(db, app, id); });
  }
  // The outbox reads return nothing unless this node holds the outbox (outbox_lock.h): the one
  // delivery service that may schedule events and send deliveries at a time.
  Result<std::vector<DeliveryEvent>> PendingDeliveryEvents(size_t limit) override {
    if (!outbox_.Held()) return std::vector<DeliveryEvent>();
    return Read<std::vector<DeliveryEvent>>(
        [&](Connection& db) { return pg::ReadPendingEvents(db, limit); });
  }
  Result<std::vector<std::string>> DeliveryQueues() override {
    if (!outbox_.Held()) return std::vector<std::string>();
    return Read<std::vector<std::string>>(
        [&](Connection& db) { return pg::ReadDeliveryQueues(db); });
  }
  Result<std::optional<Delivery>> NextDelivery(const std::string& queue) override {
    if (!outbox_.Held()) return std::optional<Delivery>();
    return Read<std::optional<Delivery>>(
        [&](Connection& db) { return pg::ReadNextDelivery(db, queue); });
  }
  Result<ContentInfo> GetContent(const ContentId& id) override {
    return Read<ContentInfo>([&](Connection& db) { return pg::ReadContent(db, id); });
  }
  Result<bool> MayReadContent(const AppId& app, const UserId& user, const ContentId& id) override {
    return Read<bool>([&](Connection& db) { return pg::ReadMayReadContent(db, app, user, id); });
  }
  Result<std::vector<SyncLogEntry>> ListSyncLog(const AppId& app,
                                                const SyncLogFilter& filter) override {
    return Read<std::vector<SyncLogEntry>>(
        [&](Connection& db) { return pg::ReadSyncLog(db, app, filter); });
  }
  Result<std::vector<Conversation>> ListAppConversations(
      const AppId& app, const AppConversationFilter& filter) override {
    return Read<std::vector<Conversation>>(
        [&](Connection& db) { return pg::ReadAppConversations(db, app, filter); });
  }
  Result<std::vector<Message>> ListAppMessages(const AppId& app, const ConversationId& conversation,
                                               size_t limit) override {
    return Read<std::vector<Message>>(
        [&](Connection& db) { return pg::ReadAppMessages(db, app, conversation, limit); });
  }

  bool HasUserSequences() const override { return true; }
  Result<int64_t> UserSeqHead(const AppId& app, const UserId& user) override {
    return Read<int64_t>([&](Connection& db) { return pg::ReadUserSeqHead(db, app, user); });
  }
  Result<std::vector<UserChange>> UserChangesAfter(const AppId& app, const UserId& user,
                                                   int64_t after_user_seq, size_t limit) override {
    return Read<std::vector<UserChange>>([&](Connection& db) {
      return pg::ReadUserChangesAfter(db, app, user, after_user_seq, limit);
    });
  }

 private:
  // Runs `fn` in a read-only REPEATABLE READ transaction, so that it sees one snapshot.
  template <class T, class Fn>
  Result<T> Read(Fn&& fn) {
    auto taken = readers_.Take();
    if (!taken.ok()) return taken.status();
    std::unique_ptr<Connection> db = std::move(taken).value();
    Result<T> result = [&]() -> Result<T> {
      if (Status s = db->Execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s.ok()) {
        return s;
      }
      try {
        return fn(*db);
      } catch (const std::exception& e) {
        return Internal(std::string("read failed: ") + e.what());
      }
    }();
    if (db->alive()) (void)db->Execute("COMMIT");  // after a failed statement: a rollback
    readers_.Return(std::move(db));
    return result;
  }

  const Limits limits_;
  ReaderPool readers_;
  pg::OutboxLock outbox_;
  pg::GroupCommitWriter writer_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPgStore(const PgOptions& options) {
  auto db = Connection::Open(options.uri, options.connect_timeout_seconds);
  if (!db.ok()) return db.status();
  if (Status s = pg::Migrate(**db); !s.ok()) return s;
  return std::unique_ptr<Store>(new PgStore(options, std::move(db).value()));
}

}  // namespace relayer
