#include "server/ws/hub.h"

#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <deque>

#include "core/json_text.h"
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
  SinksOf(app, user, out);
  return out;
}

void Hub::SinksOf(const AppId& app, const UserId& user,
                  std::vector<std::shared_ptr<PacketSink>>& out) const {
  out.clear();
  std::lock_guard lock(mu_);
  auto it = sinks_.find(KeyRef{app, user});
  if (it == sinks_.end()) return;
  for (const auto& w : it->second) {
    if (auto p = w.lock()) out.push_back(std::move(p));
  }
}

bool Hub::IsConnected(const AppId& app, const UserId& user) const {
  std::lock_guard lock(mu_);
  auto it = sinks_.find(KeyRef{app, user});
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
      return Form(bodies_, base, false, {},
                  [&] { return ChangeBody(change_, ChangeDataJson(change_), base); });
    }
    if (message_create()) {
      const bool unread = IsUnreadFor(*result_.message, user);
      return Form(bodies_, base, unread, {},
                  [&] { return ChangeBody(change_, Text(base).For(unread), base); });
    }
    const bool conversation = change_.type == ObjectType::kConversation;
    return Form(bodies_, base, false, conversation ? std::string_view(user.str()) : "", [&] {
      json::object data = conversation ? ConversationJson(*result_.conversation, user, base, links_)
                                       : AnnouncementJson(*result_.message, user, base);
      return ChangeBody(change_, json::serialize(data), base);
    });
  }

  // The conversation update naming the created message as its last_message; live only (a
  // replay carries the message creates, from which the SDK sets last_message itself).
  const std::string& LastMessagePatch(const std::string& base) {
    return Form(moved_, base, false, {}, [&] {
      Change last;
      last.op = ChangeOp::kUpdate;
      last.type = ObjectType::kConversation;
      last.object_id = change_.conversation_id.str();
      std::string patch = R"([{"operation":"set","property":"last_message","id":)";
      AppendJsonString(patch, MessageUrl(MessageId(change_.object_id)));
      patch += "}]";
      return ChangeBody(last, patch, base);
    });
  }

 private:
  // A rendered body and what it was rendered for: the base URL, and the viewer's read state or
  // the viewer (a conversation's own form). A change has a few forms, so a list is searched.
  struct Rendered {
    std::string base;
    bool unread = false;
    std::string viewer;
    std::string body;
  };

  template <class Render>
  static const std::string& Form(std::deque<Rendered>& forms, const std::string& base, bool unread,
                                 std::string_view viewer, Render&& render) {
    for (const Rendered& f : forms) {
      if (f.unread == unread && f.base == base && f.viewer == viewer) return f.body;
    }
    forms.push_back(Rendered{base, unread, std::string(viewer), render()});
    return forms.back().body;
  }

  const MessageText& Text(const std::string& base) {
    for (const auto& [b, text] : texts_) {
      if (b == base) return text;
    }
    texts_.emplace_back(base, MessageText(*result_.message, base, links_));
    return texts_.back().second;
  }

  const Change& change_;
  const WriteResult& result_;
  const ContentLinks* links_;
  // Deques: a body handed out stays where it is while more forms are added.
  std::deque<Rendered> bodies_, moved_;
  std::deque<std::pair<std::string, MessageText>> texts_;
};

}  // namespace

void Hub::Publish(const AppId& app, const WriteResult& result) {
  std::vector<std::shared_ptr<PacketSink>> sinks;
  for (const auto& change : result.changes) {
    // Nothing to render; Event.replay reads it from the store.
    if (!HasObjects(change, result)) continue;
    ChangeForms forms(change, result, links_);
    for (const auto& user : change.recipients) {
      SinksOf(app, user, sinks);
      for (const auto& sink : sinks) {
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
