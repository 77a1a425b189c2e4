// A Store that hands every committed write with changes, delivery events or sync log entries to a
// publisher, in commit order, after the write's own callback (so a sender's answer is queued before
// anyone's change packet). Everything else is forwarded to the wrapped store.
#pragma once

#include <functional>
#include <memory>

#include "store/store.h"

namespace relayer::server {

class PublishingStore : public Store {
 public:
  // `publish` runs on the store's writer thread and must only queue work (never block).
  using Publish = std::function<void(const AppId&, std::shared_ptr<const WriteResult>)>;
  PublishingStore(Store& inner, Publish publish) : inner_(inner), publish_(std::move(publish)) {}

  void Submit(WriteOp op, WriteCallback done) override {
    AppId app = std::visit(
        [](const auto& o) -> AppId {
          if constexpr (requires { o.app_id; })
            return o.app_id;
          else
            return AppId();
        },
        op);
    inner_.Submit(std::move(op), [this, app, done = std::move(done)](WriteResult r) {
      if (!r.status.ok() || (r.changes.empty() && r.delivery_events == 0 && r.sync_log_seq == 0)) {
        done(std::move(r));
        return;
      }
      auto shared = std::make_shared<const WriteResult>(r);
      done(std::move(r));
      publish_(app, std::move(shared));
    });
  }
  void Close() override { inner_.Close(); }
  StoreStats Stats() const override { return inner_.Stats(); }
  Result<Session> GetSession(const SessionToken& t) override { return inner_.GetSession(t); }
  Result<Identity> GetIdentity(const AppId& a, const UserId& u) override {
    return inner_.GetIdentity(a, u);
  }
  Result<Conversation> GetConversation(const AppId& a, const UserId& v,
                                       const ConversationId& id) override {
    return inner_.GetConversation(a, v, id);
  }
  Result<ConversationList> ListConversations(const AppId& a, const UserId& v, ConversationSort s,
                                             const Page& p) override {
    return inner_.ListConversations(a, v, s, p);
  }
  Result<Message> GetMessage(const AppId& a, const UserId& v, const MessageId& id) override {
    return inner_.GetMessage(a, v, id);
  }
  Result<MessageList> ListMessages(const AppId& a, const UserId& v, const ConversationId& c,
                                   const Page& p) override {
    return inner_.ListMessages(a, v, c, p);
  }
  Result<Message> GetAnnouncement(const AppId& a, const UserId& v, const MessageId& id) override {
    return inner_.GetAnnouncement(a, v, id);
  }
  Result<MessageList> ListAnnouncements(const AppId& a, const UserId& v, const Page& p) override {
    return inner_.ListAnnouncements(a, v, p);
  }
  Result<std::vector<UserId>> ListBlocks(const AppId& a, const UserId& owner) override {
    return inner_.ListBlocks(a, owner);
  }
  Result<Badge> GetBadge(const AppId& a, const UserId& u) override { return inner_.GetBadge(a, u); }
  Result<std::optional<DedupEntry>> FindDedup(const AppId& a, const std::string& key,
                                              TimeMs now) override {
    return inner_.FindDedup(a, key, now);
  }
  Result<std::vector<Change>> ChangesFor(const AppId& a, const UserId& v, int64_t after_seq,
                                         TimeMs from_ts, size_t limit) override {
    return inner_.ChangesFor(a, v, after_seq, from_ts, limit);
  }
  Result<ContentInfo> GetContent(const ContentId& id) override { return inner_.GetContent(id); }
  Result<bool> MayReadContent(const AppId& a, const UserId& u, const ContentId& id) override {
    return inner_.MayReadContent(a, u, id);
  }

  Result<std::vector<PushToken>> PushTokens(const AppId& a,
                                            const std::vector<UserId>& users) override {
    return inner_.PushTokens(a, users);
  }
  Result<std::vector<Webhook>> ListWebhooks(const AppId& a) override {
    return inner_.ListWebhooks(a);
  }
  Result<Webhook> GetWebhook(const AppId& a, const std::string& id) override {
    return inner_.GetWebhook(a, id);
  }
  Result<std::vector<DeliveryEvent>> PendingDeliveryEvents(size_t limit) override {
    return inner_.PendingDeliveryEvents(limit);
  }
  Result<std::vector<std::string>> DeliveryQueues() override { return inner_.DeliveryQueues(); }
  Result<std::optional<Delivery>> NextDelivery(const std::string& q) override {
    return inner_.NextDelivery(q);
  }
  Result<std::vector<SyncLogEntry>> ListSyncLog(const AppId& a, const SyncLogFilter& f) override {
    return inner_.ListSyncLog(a, f);
  }
  Result<std::vector<Conversation>> ListAppConversations(const AppId& a,
                                                         const AppConversationFilter& f) override {
    return inner_.ListAppConversations(a, f);
  }
  Result<std::vector<Message>> ListAppMessages(const AppId& a, const ConversationId& c,
                                               size_t limit) override {
    return inner_.ListAppMessages(a, c, limit);
  }
  bool HasUserSequences() const override { return inner_.HasUserSequences(); }
  bool SharesOutbox() const override { return inner_.SharesOutbox(); }
  Result<int64_t> UserSeqHead(const AppId& a, const UserId& u) override {
    return inner_.UserSeqHead(a, u);
  }
  Result<std::vector<UserChange>> UserChangesAfter(const AppId& a, const UserId& u, int64_t after,
                                                   size_t limit) override {
    return inner_.UserChangesAfter(a, u, after, limit);
  }

 private:
  Store& inner_;
  Publish publish_;
};

}  // namespace relayer::server
