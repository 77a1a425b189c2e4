#include "server/ws/hub.h"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <map>
#include <utility>

#include "core/representation.h"
#include "server/ws/packets.h"

namespace relayer::server {

namespace json = boost::json;

void Hub::Add(const AppId& app, const UserId& user, std::shared_ptr<PacketSink> sink) {
  std::lock_guard lock(mu_);
  sinks_[{app, user}].push_back(sink);
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
  if (v.empty()) sinks_.erase(it);
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

size_t Hub::connections() const {
  std::lock_guard lock(mu_);
  return count_;
}

void Hub::Publish(const AppId& app, const WriteResult& result) {
  for (const auto& change : result.changes) {
    json::value data;
    if (change.op != ChangeOp::kCreate) {
      boost::system::error_code ec;
      data = json::parse(change.data_json.empty() ? "null" : change.data_json, ec);
      if (ec) {
        spdlog::error("change {} has malformed data: {}", change.seq, ec.message());
        continue;
      }
    } else if (change.type == ObjectType::kConversation && !result.conversation) {
      continue;  // nothing to render; Event.replay reads it from the store
    } else if (change.type == ObjectType::kMessage && !result.message) {
      continue;
    }
    // Rendered once per distinct form, not once per socket: a message differs between viewers
    // only in is_unread (and every form in the base URL); updates and deletes not at all.
    std::map<std::pair<std::string, int>, std::string> rendered, moved_rendered;
    for (const auto& user : change.recipients) {
      for (const auto& sink : SinksOf(app, user)) {
        const std::string& base = sink->base_url();
        int form = 0;
        if (change.op == ChangeOp::kCreate) {
          form = change.type == ObjectType::kConversation ? -1 : IsUnreadFor(*result.message, user);
        }
        std::string* body = nullptr;
        std::string per_viewer;
        if (form < 0) {  // a conversation's representation is the viewer's own (unread counts)
          per_viewer = ChangeBody(
              change, json::value(ConversationJson(*result.conversation, user, base)), base);
          body = &per_viewer;
        } else {
          auto [it, fresh] = rendered.try_emplace({base, form});
          if (fresh) {
            it->second =
                change.op == ChangeOp::kCreate
                    ? ChangeBody(change, json::value(MessageJson(*result.message, user, base)),
                                 base)
                    : ChangeBody(change, data, base);
          }
          body = &it->second;
        }
        sink->Send("change", *body, change.ts);
        if (change.op == ChangeOp::kCreate && change.type == ObjectType::kMessage) {
          // The conversation's last_message moves too; live only (a replay carries the
          // message creates, from which the SDK sets last_message itself).
          auto [moved, fresh] = moved_rendered.try_emplace({base, 0});
          if (fresh) {
            Change last;
            last.op = ChangeOp::kUpdate;
            last.type = ObjectType::kConversation;
            last.object_id = change.conversation_id.str();
            json::array patch{json::object{{"operation", "set"},
                                           {"property", "last_message"},
                                           {"id", MessageUrl(MessageId(change.object_id))}}};
            moved->second = ChangeBody(last, patch, base);
          }
          sink->Send("change", moved->second, change.ts);
        }
      }
    }
  }
}

void Hub::Signal(const AppId& app, const std::vector<UserId>& users, const std::string& body_json,
                 TimeMs now, const PacketSink* except) {
  for (const auto& user : users) {
    for (const auto& sink : SinksOf(app, user)) {
      if (sink.get() != except) sink->Send("signal", body_json, now);
    }
  }
}

}  // namespace relayer::server
