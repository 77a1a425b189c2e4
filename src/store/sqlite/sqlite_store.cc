// The SQLite Store: one writer connection owned by the group-commit writer, and a pool of read
// connections, one per concurrently reading thread.
#include <mutex>
#include <vector>

#include "store/sqlite/checkpointer.h"
#include "store/sqlite/db.h"
#include "store/sqlite/ops.h"
#include "store/sqlite/reads.h"
#include "store/sqlite/reads_delivery.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/writer.h"
#include "store/store.h"

namespace relayer {
namespace {

using sqlite::Connection;

// Read connections, lent to one thread at a time; a new one is opened when all are busy.
class ReaderPool {
 public:
  explicit ReaderPool(std::string path) : path_(std::move(path)) {}

  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<Connection> db) : pool_(pool), db_(std::move(db)) {}
    ~Lease() {
      if (db_) pool_.Return(std::move(db_));
    }
    Connection& operator*() { return *db_; }

   private:
    ReaderPool& pool_;
    std::unique_ptr<Connection> db_;
  };

  Result<std::unique_ptr<Connection>> Take() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        auto db = std::move(idle_.back());
        idle_.pop_back();
        return db;
      }
    }
    auto db = Connection::Open(path_);
    if (!db.ok()) return db.status();
    if (Status s = sqlite::ConfigureConnection(**db); !s.ok()) return s;
    return db;
  }

  void Return(std::unique_ptr<Connection> db) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(db));
  }

 private:
  std::string path_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

// Frames in the log before the background checkpoint runs (4 KB pages: 16 MB).
constexpr int kCheckpointFrames = 4096;

class SqliteStore final : public Store {
 public:
  SqliteStore(const SqliteOptions& options, std::unique_ptr<Connection> writer_db,
              std::unique_ptr<Connection> checkpoint_db)
      : limits_(options.limits),
        readers_(options.path),
        checkpointer_(std::move(checkpoint_db), kCheckpointFrames),
        writer_(
            HookedToCheckpoints(std::move(writer_db)), options.max_batch,
            [this](Connection& db, const WriteOp& op) {
              return sqlite::ApplyWrite(db, limits_, sync_log_, hot_rows_, op);
            },
            std::chrono::microseconds(std::max<int64_t>(0, options.commit_linger_us)),
            sqlite::GroupCommitWriter::Hooks{
                [this](Connection& db) { return sync_log_.Flush(db, limits_); },
                [this] {
                  sync_log_.Reset();
                  hot_rows_.Clear();  // it may hold what the rolled back batch wrote
                }}) {}

  ~SqliteStore() override { Close(); }

  void Submit(WriteOp op, WriteCallback done) override {
    writer_.Submit(std::move(op), std::move(done));
  }
  void Close() override { writer_.Close(); }

  StoreStats Stats() const override {
    return StoreStats{writer_.commits(), writer_.committed_ops(), writer_.max_batch_seen()};
  }

  Result<Session> GetSession(const SessionToken& token) override {
    return Read<Session>([&](Connection& db) { return sqlite::ReadSession(db, token); });
  }
  Result<Identity> GetIdentity(const AppId& app, const UserId& user) override {
    return Read<Identity>([&](Connection& db) { return sqlite::ReadIdentity(db, app, user); });
  }
  Result<Conversation> GetConversation(const AppId& app, const UserId& viewer,
                                       const ConversationId& id) override {
    return Read<Conversation>(
        [&](Connection& db) { return sqlite::ReadConversation(db, app, viewer, id); });
  }
  Result<ConversationList> ListConversations(const AppId& app, const UserId& viewer,
                                             ConversationSort sort, const Page& page) override {
    return Read<ConversationList>([&](Connection& db) {
      return sqlite::ReadConversations(db, limits_, app, viewer, sort, page);
    });
  }
  Result<Message> GetMessage(const AppId& app, const UserId& viewer, const MessageId& id) override {
    return Read<Message>([&](Connection& db) { return sqlite::ReadMessage(db, app, viewer, id); });
  }
  Result<MessageList> ListMessages(const AppId& app, const UserId& viewer,
                                   const ConversationId& conversation, const Page& page) override {
    return Read<MessageList>([&](Connection& db) {
      return sqlite::ReadMessages(db, limits_, app, viewer, conversation, page);
    });
  }
  Result<Message> GetAnnouncement(const AppId& app, const UserId& viewer,
                                  const MessageId& id) override {
    return Read<Message>(
        [&](Connection& db) { return sqlite::ReadAnnouncement(db, app, viewer, id); });
  }
  Result<MessageList> ListAnnouncements(const AppId& app, const UserId& viewer,
                                        const Page& page) override {
    return Read<MessageList>(
        [&](Connection& db) { return sqlite::ReadAnnouncements(db, limits_, app, viewer, page); });
  }
  Result<std::vector<UserId>> ListBlocks(const AppId& app, const UserId& owner) override {
    return Read<std::vector<UserId>>(
        [&](Connection& db) { return sqlite::ReadBlocks(db, app, owner); });
  }
  Result<Badge> GetBadge(const AppId& app, const UserId& user) override {
    return Read<Badge>([&](Connection& db) { return sqlite::ReadBadge(db, app, user); });
  }
  Result<std::optional<DedupEntry>> FindDedup(const AppId& app, const std::string& key,
                                              TimeMs now) override {
    return Read<std::optional<DedupEntry>>(
        [&](Connection& db) { return sqlite::ReadDedup(db, app, key, now); });
  }
  Result<std::vector<Change>> ChangesFor(const AppId& app, const UserId& viewer, int64_t after_seq,
                                         TimeMs from_ts, size_t limit) override {
    return Read<std::vector<Change>>([&](Connection& db) {
      return sqlite::ReadChanges(db, app, viewer, after_seq, from_ts, limit);
    });
  }
  Result<ContentInfo> GetContent(const ContentId& id) override {
    return Read<ContentInfo>([&](Connection& db) { return sqlite::ReadContent(db, id); });
  }
  Result<bool> MayReadContent(const AppId& app, const UserId& user, const ContentId& id) override {
    return Read<bool>(
        [&](Connection& db) { return sqlite::ReadMayReadContent(db, app, user, id); });
  }

  Result<std::vector<PushToken>> PushTokens(const AppId& app,
                                            const std::vector<UserId>& users) override {
    return Read<std::vector<PushToken>>(
        [&](Connection& db) { return sqlite::ReadPushTokens(db, app, users); });
  }
  Result<std::vector<Webhook>> ListWebhooks(const AppId& app) override {
    return Read<std::vector<Webhook>>(
        [&](Connection& db) { return sqlite::ReadWebhooks(db, app); });
  }
  Result<Webhook> GetWebhook(const AppId& app, const std::string& id) override {
    return Read<Webhook>([&](Connection& db) { return sqlite::ReadWebhookRow(db, app, id); });
  }
  Result<std::vector<DeliveryEvent>> PendingDeliveryEvents(size_t limit) override {
    return Read<std::vector<DeliveryEvent>>(
        [&](Connection& db) { return sqlite::ReadPendingEvents(db, limit); });
  }
  Result<std::vector<std::string>> DeliveryQueues() override {
    return Read<std::vector<std::string>>(
        [&](Connection& db) { return sqlite::ReadDeliveryQueues(db); });
  }
  Result<std::optional<Delivery>> NextDelivery(const std::string& queue) override {
    return Read<std::optional<Delivery>>(
        [&](Connection& db) { return sqlite::ReadNextDelivery(db, queue); });
  }
  Result<std::vector<SyncLogEntry>> ListSyncLog(const AppId& app,
                                                const SyncLogFilter& filter) override {
    return Read<std::vector<SyncLogEntry>>(
        [&](Connection& db) { return sqlite::ReadSyncLog(db, app, filter); });
  }
  Result<std::vector<Conversation>> ListAppConversations(
      const AppId& app, const AppConversationFilter& filter) override {
    return Read<std::vector<Conversation>>(
        [&](Connection& db) { return sqlite::ReadAppConversations(db, app, filter); });
  }
  Result<std::vector<Message>> ListAppMessages(const AppId& app, const ConversationId& conversation,
                                               size_t limit) override {
    return Read<std::vector<Message>>(
        [&](Connection& db) { return sqlite::ReadAppMessages(db, app, conversation, limit); });
  }

 private:
  // Runs `fn` in a read transaction, so that it sees one consistent snapshot.
  template <class T, class Fn>
  Result<T> Read(Fn&& fn) {
    auto db = readers_.Take();
    if (!db.ok()) return db.status();
    ReaderPool::Lease lease(readers_, std::move(db).value());
    if (Status s = (*lease).Prepare("BEGIN").Exec(); !s.ok()) return s;
    Result<T> result = [&]() -> Result<T> {
      try {
        return fn(*lease);
      } catch (const std::exception& e) {
        return Internal(std::string("read failed: ") + e.what());
      }
    }();
    (*lease).Prepare("COMMIT").Exec();
    return result;
  }

  std::unique_ptr<Connection> HookedToCheckpoints(std::unique_ptr<Connection> db) {
    Connection* writer = db.get();
    db->OnWalCommit([this, writer](int frames) { checkpointer_.Committed(frames, *writer); });
    return db;
  }

  const Limits limits_;
  sqlite::SyncLogBuffer sync_log_;  // the writer thread's (before the writer, which uses it)
  sqlite::HotRows hot_rows_;        // the writer thread's, like the sync log
  ReaderPool readers_;
  // Before the writer: the writer's commit hook calls it until the writer is gone.
  sqlite::Checkpointer checkpointer_;
  sqlite::GroupCommitWriter writer_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  auto db = Connection::Open(options.path);
  if (!db.ok()) return db.status();
  if (Status s = sqlite::ConfigureWriterConnection(**db); !s.ok()) return s;
  if (Status s = sqlite::Migrate(**db); !s.ok()) return s;
  auto checkpoint_db = Connection::Open(options.path);
  if (!checkpoint_db.ok()) return checkpoint_db.status();
  if (Status s = sqlite::ConfigureConnection(**checkpoint_db); !s.ok()) return s;
  return std::unique_ptr<Store>(
      new SqliteStore(options, std::move(db).value(), std::move(checkpoint_db).value()));
}

}  // namespace relayer
