#include "server/delivery/payloads.h"

#include <boost/json/serialize.hpp>

#include "core/receipts.h"
#include "core/representation.h"

namespace relayer::server {
namespace json = boost::json;

namespace {

std::string AppBase(const AppId& app, const std::string& base_url) {
  return base_url + "/apps/" + app.str();
}

json::value StringOrNull(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? *v : json::value(nullptr);
}

}  // namespace

json::object PlatformMessageJson(const Message& m, const AppId& app, const std::string& base_url) {
  const std::string base = AppBase(app, base_url);
  json::object o;
  o["id"] = MessageUrl(m.id);
  o["url"] = MessageHttpUrl(base, m.id);
  o["conversation"] = json::object{{"id", ConversationUrl(m.conversation_id)},
                                   {"url", ConversationHttpUrl(base, m.conversation_id)}};
  json::array parts;
  for (size_t i = 0; i < m.parts.size(); ++i) {
    const MessagePart& p = m.parts[i];
    json::object pj;
    pj["id"] = MessageUrl(m.id) + "/parts/" + std::to_string(i);
    pj["mime_type"] = p.mime_type;
    if (p.content) {
      pj["content"] = json::object{{"id", "layer:///content/" + p.content->id.str()},
                                   {"size", p.content->size}};
    } else {
      pj["body"] = p.body;
      if (!p.encoding.empty()) pj["encoding"] = p.encoding;
    }
    parts.push_back(std::move(pj));
  }
  o["parts"] = std::move(parts);
  o["sent_at"] = FormatTime(m.sent_at);
  if (m.sender.user_id) {
    o["sender"] = json::object{{"user_id", m.sender.user_id->str()}};
  } else {
    o["sender"] = json::object{{"name", m.sender.name}, {"user_id", nullptr}};
  }
  json::object status;
  for (const auto& [user, state] : m.recipient_status) status[user.str()] = ReceiptStateName(state);
  o["recipient_status"] = std::move(status);
  if (m.notification) o["notification"] = *m.notification;
  return o;
}

json::object PlatformConversationJson(const Conversation& c, const AppId& app,
                                      const std::string& base_url) {
  const std::string url = ConversationHttpUrl(AppBase(app, base_url), c.id);
  json::object o;
  o["id"] = ConversationUrl(c.id);
  o["url"] = url;
  o["created_at"] = FormatTime(c.created_at);
  o["messages_url"] = url + "/messages";
  o["distinct"] = c.distinct;
  json::array participants;
  for (const Identity& i : c.participants) participants.emplace_back(i.user_id.str());
  o["participants"] = std::move(participants);
  o["metadata"] = c.metadata;
  return o;
}

std::string WebhookBody(const DeliveryEvent& e, const std::string& event_id, const Webhook& w,
                        const std::string& base_url) {
  json::object event;
  event["created_at"] = FormatTime(e.ts);
  event["type"] = e.type;
  event["id"] = event_id;
  if (e.actor.user_id) {
    event["actor"] = json::object{{"user_id", e.actor.user_id->str()}};
  } else if (!e.actor.name.empty()) {
    event["actor"] = json::object{{"name", e.actor.name}};
  }
  json::object body;
  body["event"] = std::move(event);
  if (e.message) body["message"] = PlatformMessageJson(*e.message, e.app, base_url);
  if (e.conversation) {
    body["conversation"] = PlatformConversationJson(*e.conversation, e.app, base_url);
  }
  body["config"] = w.config;
  return json::serialize(body);
}

json::object NotificationFor(const json::object& notification, const UserId& user) {
  json::object out = notification;
  out.erase("recipients");
  const json::value* per = notification.if_contains("recipients");
  if (per && per->is_object()) {
    const json::value* mine = per->get_object().if_contains(user.str());
    if (mine && mine->is_object()) {
      for (const auto& kv : mine->get_object()) out[kv.key()] = kv.value();
    }
  }
  return out;
}

std::string PushBody(const AppId& app, const PushToken& t, const json::object& notification,
                     const Message* message) {
  json::object o;
  o["app_id"] = "layer:///apps/staging/" + app.str();
  o["user_id"] = t.user_id.str();
  o["device_id"] = t.device_id;
  o["token"] = t.token;
  o["type"] = t.type;
  o["apns_bundle_id"] = t.apns_bundle_id;
  o["gcm_sender_id"] = t.gcm_sender_id;
  o["title"] = StringOrNull(notification, "title");
  o["text"] = StringOrNull(notification, "text");
  o["sound"] = StringOrNull(notification, "sound");
  o["notification"] = notification;
  o["message_id"] = message ? json::value(MessageUrl(message->id)) : json::value(nullptr);
  o["conversation_id"] =
      message ? json::value(ConversationUrl(message->conversation_id)) : json::value(nullptr);
  return json::serialize(o);
}

}  // namespace relayer::server
