#include "server/platform/platform_json.h"

#include <boost/json/array.hpp>

#include "core/receipts.h"
#include "core/representation.h"

namespace relayer::server {

namespace json = boost::json;

namespace {

// "<base>/apps/<uuid>" -> "<base>": content links live in the Client API.
std::string BaseOf(const std::string& app_url) {
  const auto at = app_url.rfind("/apps/");
  return at == std::string::npos ? app_url : app_url.substr(0, at);
}

}  // namespace

json::object PlatformMessageJson(const Message& m, const UserId& viewer, const std::string& app_url,
                                 const ContentLinks* links) {
  json::object o = MessageJson(m, viewer, app_url);
  json::array& parts = o["parts"].as_array();
  for (size_t i = 0; i < m.parts.size() && i < parts.size(); ++i) {
    if (m.parts[i].content) {
      parts[i].as_object()["content"] = ContentJson(*m.parts[i].content, BaseOf(app_url), links);
    }
  }
  o.erase("receipts_url");
  if (viewer.empty()) o.erase("is_unread");
  json::object sender;
  if (m.sender.user_id) {
    sender["user_id"] = m.sender.user_id->str();
    sender["name"] = m.sender.name.empty() ? json::value(nullptr) : json::value(m.sender.name);
  } else {
    sender["user_id"] = nullptr;
    sender["name"] = m.sender.name;
  }
  o["sender"] = std::move(sender);
  json::object status;
  for (const auto& [user, state] : m.recipient_status) status[user.str()] = ReceiptStateName(state);
  o["recipient_status"] = std::move(status);
  return o;
}

json::object PlatformConversationJson(const Conversation& c, const UserId& viewer,
                                      const std::string& app_url, const ContentLinks* links) {
  json::object o = ConversationJson(c, viewer, app_url);
  json::array participants;
  for (const auto& p : c.participants) participants.emplace_back(p.user_id.str());
  o["participants"] = std::move(participants);
  if (viewer.empty()) o.erase("unread_message_count");
  o["last_message"] =
      c.last_message ? json::value(PlatformMessageJson(*c.last_message, viewer, app_url, links))
                     : json::value(nullptr);
  return o;
}

json::object PlatformAnnouncementJson(const Message& m, const std::string& app_url) {
  json::object o = PlatformMessageJson(m, UserId(), app_url);
  o["id"] = AnnouncementUrl(m.id);
  o["url"] = AnnouncementHttpUrl(app_url, m.id);
  o.erase("conversation");
  o.erase("position");
  return o;
}

}  // namespace relayer::server
