// Server changes applied to the caches, with the events they raise: WebSocket packets (change
// and signal), REST answers and query results all go through the same upserts.
#include <algorithm>
#include <boost/json.hpp>

#include "client/client_impl.h"
#include "client/codec.h"

namespace relayer::sdk {

namespace json = boost::json;

namespace {
// "recipient_status.layer:///identities/bob" with dots escaped as "\." -> the identity id.
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return out;
}
}  // namespace

void ClientImpl::OnPacketOnIo(const json::object& packet) {
  std::string type = JStr(packet, "type");
  const json::object* body = JObj(packet, "body");
  if (!body) return;
  if (type == "change") {
    std::string ts = JStr(packet, "timestamp");
    if (!ts.empty() && ts > last_change_) {
      last_change_ = ts;
      store_.SetLastChange(user(), ts);
    }
    std::string operation = JStr(*body, "operation");
    const json::object* object = JObj(*body, "object");
    if (!object) return;
    std::string object_type = JStr(*object, "type");
    std::string id = JStr(*object, "id");
    const json::value* data = body->if_contains("data");
    if (operation == "create" && data && data->is_object()) {
      if (object_type == "Conversation") UpsertConversationOnIo(data->as_object(), true);
      if (object_type == "Message") UpsertMessageOnIo(data->as_object(), true);
    } else if (operation == "update" && data && data->is_array()) {
      if (object_type == "Conversation") ApplyConversationPatchOnIo(id, data->as_array());
      if (object_type == "Message") ApplyMessagePatchOnIo(id, data->as_array());
    } else if (operation == "delete") {
      std::lock_guard lock(mu_);
      if (object_type == "Conversation") conversations_.erase(id);
      if (object_type == "Message") messages_.erase(id);
    }
  } else if (type == "signal" && JStr(*body, "type") == "typing_indicator") {
    const json::object* object = JObj(*body, "object");
    const json::object* data = JObj(*body, "data");
    if (!object || !data) return;
    TypingEvent e;
    e.conversation = ConversationId(JStr(*object, "id"));
    std::string action = JStr(*data, "action");
    e.state = action == "started"  ? TypingState::kStarted
              : action == "paused" ? TypingState::kPaused
                                   : TypingState::kFinished;
    if (auto* sender = JObj(*data, "sender")) {
      e.user_id = JStr(*sender, "user_id");
      if (e.user_id.empty()) e.user_id = Codec::UserOfIdentity(JStr(*sender, "id"));
    }
    if (e.user_id == user()) return;
    Emit(on_typing_, e);
  }
}

std::shared_ptr<ConversationRecord> ClientImpl::UpsertConversationOnIo(const json::object& o,
                                                                       bool emit) {
  std::string id = JStr(o, "id");
  if (id.empty()) return nullptr;
  if (auto* lm = JObj(o, "last_message")) UpsertMessageOnIo(*lm, false);
  std::shared_ptr<ConversationRecord> rec;
  bool created = false;
  {
    std::lock_guard lock(mu_);
    auto& slot = conversations_[id];
    if (!slot) {
      slot = std::make_shared<ConversationRecord>();
      slot->client = weak_from_this();
      created = true;
    }
    rec = slot;
  }
  ConversationsChangeEvent change;
  {
    std::lock_guard lock(rec->mu);
    ConversationRecord before;
    before.participants = rec->participants;
    before.metadata = rec->metadata;
    before.unread = rec->unread;
    before.distinct = rec->distinct;
    bool was_synced = rec->synced;
    Codec::ReadConversation(o, *rec);
    if (was_synced || !created) {
      if (before.participants != rec->participants && was_synced)
        change.changes.push_back({"participants", before.participants, rec->participants});
      if (before.metadata != rec->metadata && was_synced)
        change.changes.push_back({"metadata", before.metadata, rec->metadata});
      if (before.unread != rec->unread)
        change.changes.push_back({"unreadCount", before.unread, rec->unread});
      if (before.distinct != rec->distinct && was_synced)
        change.changes.push_back({"distinct", before.distinct, rec->distinct});
    }
  }
  if (emit && created) {
    Emit(on_conversations_add_, ConversationsAddEvent{{Conversation(rec)}});
  } else if (emit && !change.changes.empty()) {
    change.target = Conversation(rec);
    Emit(on_conversations_change_, change);
  }
  return rec;
}

std::shared_ptr<MessageRecord> ClientImpl::UpsertMessageOnIo(const json::object& o, bool emit) {
  std::string id = JStr(o, "id");
  if (id.empty()) return nullptr;
  std::shared_ptr<MessageRecord> rec;
  bool created = false;
  {
    std::lock_guard lock(mu_);
    auto& slot = messages_[id];
    if (!slot) {
      slot = std::make_shared<MessageRecord>();
      slot->client = weak_from_this();
      slot->own_user = user_;
      created = true;
    }
    rec = slot;
  }
  MessagesChangeEvent change;
  std::string me = user();
  {
    std::lock_guard lock(rec->mu);
    RecipientStatus before = rec->status;
    bool was_read = rec->status.count(me) && rec->status[me] == ReceiptState::kRead;
    Codec::ReadMessage(o, *rec);
    bool is_read = rec->status.count(me) && rec->status[me] == ReceiptState::kRead;
    if (!created && before != rec->status)
      change.changes.push_back({"recipientStatus", before, rec->status});
    if (!created && was_read != is_read) change.changes.push_back({"isRead", was_read, is_read});
  }
  if (emit && created) {
    Emit(on_messages_add_, MessagesAddEvent{{Message(rec)}});
  } else if (emit && !change.changes.empty()) {
    change.target = Message(rec);
    Emit(on_messages_change_, change);
  }
  MaybeSendDeliveryOnIo(rec);
  return rec;
}

void ClientImpl::ApplyMessagePatchOnIo(const std::string& id, const json::array& ops) {
  Message msg = FindMessage(id);
  if (!msg) return;  // not loaded here; a query will bring its current state
  for (const auto& v : ops) {
    if (!v.is_object()) continue;
    const auto& op = v.as_object();
    std::string property = JStr(op, "property");
    constexpr std::string_view prefix = "recipient_status.";
    if (property.compare(0, prefix.size(), prefix) != 0) continue;
    std::string identity = Unescape(std::string_view(property).substr(prefix.size()));
    ChangeStatusOnIo(msg.rec_, Codec::UserOfIdentity(identity),
                     Codec::ParseState(JStr(op, "value")));
  }
}

void ClientImpl::ChangeStatusOnIo(const std::shared_ptr<MessageRecord>& msg,
                                  const std::string& user_id, ReceiptState state) {
  MessagesChangeEvent change;
  std::string me = user();
  {
    std::lock_guard lock(msg->mu);
    auto it = msg->status.find(user_id);
    if (it != msg->status.end() && it->second >= state) return;  // receipts only move forward
    RecipientStatus before = msg->status;
    msg->status[user_id] = state;
    change.changes.push_back({"recipientStatus", before, msg->status});
    if (user_id == me && state == ReceiptState::kRead)
      change.changes.push_back({"isRead", false, true});
  }
  change.target = Message(msg);
  Emit(on_messages_change_, change);
}

void ClientImpl::ApplyConversationPatchOnIo(const std::string& id, const json::array& ops) {
  Conversation conv = FindConversation(id);
  if (!conv) return;
  auto& rec = *conv.rec_;
  ConversationsChangeEvent change;
  {
    std::lock_guard lock(rec.mu);
    auto participants = rec.participants;
    auto metadata = rec.metadata;
    for (const auto& v : ops) {
      if (!v.is_object()) continue;
      const auto& op = v.as_object();
      std::string operation = JStr(op, "operation"), property = JStr(op, "property");
      const json::value* value = op.if_contains("value");
      if (property == "participants") {
        std::string user_id = Codec::UserOfIdentity(JStr(op, "id"));
        if (value && value->is_object() && !JStr(value->as_object(), "user_id").empty())
          user_id = JStr(value->as_object(), "user_id");
        auto at = std::find(rec.participants.begin(), rec.participants.end(), user_id);
        if (operation == "add" && at == rec.participants.end()) rec.participants.push_back(user_id);
        if (operation == "remove" && at != rec.participants.end()) rec.participants.erase(at);
      } else if (property == "distinct" && value && value->is_bool()) {
        if (rec.distinct != value->as_bool())
          change.changes.push_back({"distinct", rec.distinct, value->as_bool()});
        rec.distinct = value->as_bool();
      } else if (property == "unread_message_count" && value) {
        int64_t n = JInt(op, "value");
        if (n != rec.unread) change.changes.push_back({"unreadCount", rec.unread, n});
        rec.unread = n;
      } else if (property == "last_message" && value && value->is_object()) {
        std::string before = rec.last_message.str();
        rec.last_message = MessageId(JStr(value->as_object(), "id"));
        change.changes.push_back({"lastMessage", before, rec.last_message.str()});
      } else if (property.compare(0, 9, "metadata.") == 0 || property == "metadata") {
        std::string key = property == "metadata" ? "" : Unescape(property.substr(9));
        if (operation == "delete" || !value) {
          for (auto it = rec.metadata.begin(); it != rec.metadata.end();)
            it = key.empty() || it->first == key || it->first.rfind(key + ".", 0) == 0
                     ? rec.metadata.erase(it)
                     : std::next(it);
        } else {
          if (key.empty()) rec.metadata.clear();
          Codec::FlattenMetadata(*value, key, rec.metadata);
        }
      }
    }
    if (participants != rec.participants)
      change.changes.push_back({"participants", participants, rec.participants});
    if (metadata != rec.metadata) change.changes.push_back({"metadata", metadata, rec.metadata});
  }
  if (change.changes.empty()) return;
  change.target = conv;
  Emit(on_conversations_change_, change);
}

void ClientImpl::MaybeSendDeliveryOnIo(const std::shared_ptr<MessageRecord>& msg) {
  if (!options_.send_delivery_receipts) return;
  std::string me = user();
  std::string path;
  {
    std::lock_guard lock(msg->mu);
    if (msg->delivery_receipt_queued || msg->sender.user_id == me) return;
    auto it = msg->status.find(me);
    if (it == msg->status.end() || it->second != ReceiptState::kSent) return;
    msg->delivery_receipt_queued = true;
    path = "/messages/" + Codec::Uuid(msg->id.str()) + "/receipts";
  }
  Op op;
  op.kind = "receipt";
  op.method = "POST";
  op.path = path;
  op.body = R"({"type":"delivery"})";
  op.object_id = msg->id.str();
  EnqueueOnIo(std::move(op));
}

}  // namespace relayer::sdk
