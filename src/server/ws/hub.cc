#include "server/ws/hub.h"

#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
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

// Whether `result` holds what a create of `change` renders from.
bool HasObjects(const Change& change, const WriteResult& result) {
  if (change.op != ChangeOp::kCreate) return true;
  if (change.type == ObjectType::kConversation) return result.conversation.has_value();
  if (change.type == ObjectType::kMessage || change.type == ObjectType::kAnnouncement) {
    return result.message.has_value();
  }
  return false;
}

// The packets of one change for every socket that gets it, each form rendered once: updates and
// deletes once per base URL (their data is the stored JSON text, spliced as is), a message once
// per base URL with each viewer's is_unread appended, a conversation once per viewer (its unread
// count is the viewer's own).
class ChangeForms {
 public:
  ChangeForms(const Change& change, const WriteResult& result, const ContentLinks* links)
      : change_(change), result_(result), links_(links) {}

  bool message_create() const {
    return change_.op == ChangeOp::kCreate && change_.type == ObjectType::kMessage;
  }

  const std::string& Body(const UserId& user, const std::string& base) {
    if (change_.op != ChangeOp::kCreate) {
      auto [it, fresh] = bodies_.try_emplace(base);
      if (fresh) {
        it->second = ChangeBody(change_, ChangeDataJson(change_), base);
      }
      return it->second;
    }
    if (message_create()) {
      const bool unread = IsUnreadFor(*result_.message, user);
      auto [it, fresh] = bodies_.try_emplace(base + (unread ? "\nunread" : "\nread"));
      if (fresh) it->second = ChangeBody(change_, Text(base).For(unread), base);
      return it->second;
    }
    const bool conversation = change_.type == ObjectType::kConversation;
    auto [it, fresh] = bodies_.try_emplace(conversation ? base + '\n' + user.str() : base);
    if (fresh) {
      json::object data = conversation ? ConversationJson(*result_.conversation, user, base, links_)
                                       : AnnouncementJson(*result_.message, user, base);
      it->second = ChangeBody(change_, json::serialize(data), base);
    }
    return it->second;
  }

  // The conversation update naming the created message as its last_message; live only (a
  // replay carries the message creates, from which the SDK sets last_message itself).
  const std::string& LastMessagePatch(const std::string& base) {
    auto [it, fresh] = moved_.try_emplace(base);
    if (fresh) {
      Change last;
      last.op = ChangeOp::kUpdate;
      last.type = ObjectType::kConversation;
      last.object_id = change_.conversation_id.str();
      json::array patch{json::object{{"operation", "set"},
                                     {"property", "last_message"},
                                     {"id", MessageUrl(MessageId(change_.object_id))}}};
      it->second = ChangeBody(last, json::serialize(patch), base);
    }
    return it->second;
  }

 private:
  const MessageText& Text(const std::string& base) {
    auto it = texts_.find(base);
    if (it == texts_.end())
      it = texts_.emplace(base, MessageText(*result_.message, base, links_)).first;
    return it->second;
  }

  const Change& change_;
  const WriteResult& result_;
  const ContentLinks* links_;
  std::unordered_map<std::string, std::string> bodies_, moved_;
  std::unordered_map<std::string, MessageText> texts_;
};

}  // namespace

void Hub::Publish(const AppId& app, const WriteResult& result) {
  for (const auto& change : result.changes) {
    // Nothing to render; Event.replay reads it from the store.
    if (!HasObjects(change, result)) continue;
    ChangeForms forms(change, result, links_);
    for (const auto& user : change.recipients) {
      for (const auto& sink : SinksOf(app, user)) {
        const std::string& base = sink->base_url();
        sink->Send("change", forms.Body(user, base), change.ts);
        if (forms.message_create()) sink->Send("change", forms.LastMessagePatch(base), change.ts);
      }
    }
  }
}

void Hub::PublishTo(const AppId& app, const UserId& user, const Change& change,
                    const WriteResult& objects) {
  // From another node: its data is checked before it goes into a packet.
  if (!ChangeDataIsJson(change)) {
    spdlog::error("change {} has malformed data", change.seq);
    return;
  }
  if (!HasObjects(change, objects)) return;
  ChangeForms forms(change, objects, links_);
  for (const auto& sink : SinksOf(app, user)) {
    const std::string& base = sink->base_url();
    sink->Send("change", forms.Body(user, base), change.ts);
    if (forms.message_create()) sink->Send("change", forms.LastMessagePatch(base), change.ts);
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
