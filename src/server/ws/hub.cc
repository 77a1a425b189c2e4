#include "server/ws/hub.h"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <unordered_map>

#include "core/representation.h"
#include "server/ws/packets.h"

namespace relayer::server {

namespace json = boost::json;

void Hub::Add(const AppId& app, const UserId& user, std::shared_ptr<PacketSink> sink) {
  std::lock_guard lock(mu_);
  auto& v = sinks_[{app, user}];
  if (v.empty() && hooks_.first_connection) hooks_.first_connection(app, user);
  v.push_back(sink);
  ++count_;
}

void Hub::Remove(const AppId& app, const UserId& user, const PacketSink* sink) {
  std::lock_guard lock(mu_);
  auto it = sinks_.find({app, user});
  if (it == sinks_.end()) return;
  auto& v = it->second;
  for (size_t i = 0; i < v.size(); ++i) {
    auto p = v[i].lock();
    if (!p || p.get() == sink) {
      v.erase(v.begin() + static_cast<long>(i));
      --count_;
      --i;
    }
  }
  if (v.empty()) {
    sinks_.erase(it);
    if (hooks_.last_connection) hooks_.last_connection(app, user);
  }
}

std::vector<std::shared_ptr<PacketSink>> Hub::SinksOf(const AppId& app, const UserId& user) const {
  std::vector<std::shared_ptr<PacketSink>> out;
  std::lock_guard lock(mu_);
  auto it = sinks_.find({app, user});
  if (it == sinks_.end()) return out;
  for (const auto& w : it->second) {
    if (auto p = w.lock()) out.push_back(std::move(p));
  }
  return out;
}

bool Hub::IsConnected(const AppId& app, const UserId& user) const {
  std::lock_guard lock(mu_);
  auto it = sinks_.find({app, user});
  if (it == sinks_.end()) return false;
  for (const auto& w : it->second) {
    if (!w.expired()) return true;
  }
  return false;
}

size_t Hub::connections() const {
  std::lock_guard lock(mu_);
  return count_;
}

namespace {

// Which sockets may share one rendering of `change`: all with the same base URL for updates and
// deletes; a message also differs in is_unread, and a conversation is the viewer's own (its
// unread count).
std::string FormKey(const Change& change, const WriteResult& result, const UserId& user,
                    const std::string& base) {
  if (change.op != ChangeOp::kCreate) return base;
  if (change.type == ObjectType::kConversation) return base + '\n' + user.str();
  return base + (IsUnreadFor(*result.message, user) ? "\nunread" : "\nread");
}

// `data` is the parsed patch or delete data; creates render the written object for `user`.
std::string RenderChange(const Change& change, const json::value& data, const WriteResult& result,
                         const UserId& user, const std::string& base, const ContentLinks* links) {
  if (change.op != ChangeOp::kCreate) return ChangeBody(change, data, base);
  if (change.type == ObjectType::kConversation) {
    return ChangeBody(change,
                      json::value(ConversationJson(*result.conversation, user, base, links)), base);
  }
  if (change.type == ObjectType::kAnnouncement) {
    return ChangeBody(change, json::value(AnnouncementJson(*result.message, user, base)), base);
  }
  return ChangeBody(change, json::value(MessageJson(*result.message, user, base, links)), base);
}

// The parsed data of an update or delete; false when it does not parse (logged).
bool ParseData(const Change& change, json::value& data) {
  boost::system::error_code ec;
  data = json::parse(change.data_json.empty() ? "null" : change.data_json, ec);
  if (ec) spdlog::error("change {} has malformed data: {}", change.seq, ec.message());
  return !ec;
}

// Whether `result` holds what a create of `change` renders from.
bool HasObjects(const Change& change, const WriteResult& result) {
  if (change.op != ChangeOp::kCreate) return true;
  if (change.type == ObjectType::kConversation) return result.conversation.has_value();
  if (change.type == ObjectType::kMessage || change.type == ObjectType::kAnnouncement) {
    return result.message.has_value();
  }
  return false;
}

// The conversation update naming `message_create`'s message as its last_message.
std::string LastMessagePatch(const Change& message_create, const std::string& base) {
  Change last;
  last.op = ChangeOp::kUpdate;
  last.type = ObjectType::kConversation;
  last.object_id = message_create.conversation_id.str();
  json::array patch{json::object{{"operation", "set"},
                                 {"property", "last_message"},
                                 {"id", MessageUrl(MessageId(message_create.object_id))}}};
  return ChangeBody(last, patch, base);
}

}  // namespace

void Hub::Publish(const AppId& app, const WriteResult& result) {
  for (const auto& change : result.changes) {
    json::value data;
    if (change.op != ChangeOp::kCreate && !ParseData(change, data)) continue;
    // Nothing to render; Event.replay reads it from the store.
    if (!HasObjects(change, result)) continue;
    // Rendered once per form (FormKey), not once per socket.
    std::unordered_map<std::string, std::string> rendered, moved;
    const bool message_create =
        change.op == ChangeOp::kCreate && change.type == ObjectType::kMessage;
    for (const auto& user : change.recipients) {
      for (const auto& sink : SinksOf(app, user)) {
        const std::string& base = sink->base_url();
        auto [body, fresh] = rendered.try_emplace(FormKey(change, result, user, base));
        if (fresh) body->second = RenderChange(change, data, result, user, base, links_);
        sink->Send("change", body->second, change.ts);
        if (!message_create) continue;
        // The conversation's last_message moves too; live only (a replay carries the message
        // creates, from which the SDK sets last_message itself).
        auto [patch, new_base] = moved.try_emplace(base);
        if (new_base) patch->second = LastMessagePatch(change, base);
        sink->Send("change", patch->second, change.ts);
      }
    }
  }
}

void Hub::PublishTo(const AppId& app, const UserId& user, const Change& change,
                    const WriteResult& objects) {
  json::value data;
  if (change.op != ChangeOp::kCreate && !ParseData(change, data)) return;
  if (!HasObjects(change, objects)) return;
  const bool message_create = change.op == ChangeOp::kCreate && change.type == ObjectType::kMessage;
  std::unordered_map<std::string, std::pair<std::string, std::string>> rendered;  // by base URL
  for (const auto& sink : SinksOf(app, user)) {
    const std::string& base = sink->base_url();
    auto [it, fresh] = rendered.try_emplace(base);
    if (fresh) {
      it->second.first = RenderChange(change, data, objects, user, base, links_);
      if (message_create) it->second.second = LastMessagePatch(change, base);
    }
    sink->Send("change", it->second.first, change.ts);
    if (message_create) sink->Send("change", it->second.second, change.ts);
  }
}

void Hub::SignalLocal(const AppId& app, const UserId& user, const std::string& body_json,
                      TimeMs ts) {
  for (const auto& sink : SinksOf(app, user)) sink->Send("signal", body_json, ts);
}

void Hub::Signal(const AppId& app, const std::vector<UserId>& users, const std::string& body_json,
                 TimeMs now, const PacketSink* except) {
  for (const auto& user : users) {
    for (const auto& sink : SinksOf(app, user)) {
      if (sink.get() != except) sink->Send("signal", body_json, now);
    }
  }
  if (hooks_.signalled) hooks_.signalled(app, users, body_json, now);
}

}  // namespace relayer::server
