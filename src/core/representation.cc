#include "core/representation.h"

#include <boost/json/serialize.hpp>
#include <ctime>

#include "core/receipts.h"

namespace relayer {

namespace json = boost::json;

std::string FormatTime(TimeMs t) {
  std::time_t secs = static_cast<std::time_t>(t / 1000);
  int ms = static_cast<int>(t % 1000);
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

json::object BasicIdentityJson(const Identity& identity, const std::string& base_url) {
  json::object o;
  o["id"] = IdentityUrl(identity.user_id);
  o["url"] = base_url + "/identities/" + PercentEncode(identity.user_id.str());
  o["user_id"] = identity.user_id.str();
  o["display_name"] = identity.display_name;
  o["avatar_url"] =
      identity.avatar_url.empty() ? json::value(nullptr) : json::value(identity.avatar_url);
  return o;
}

json::object IdentityJson(const Identity& identity, const std::string& base_url) {
  json::object o = BasicIdentityJson(identity, base_url);
  o["first_name"] = identity.first_name;
  o["last_name"] = identity.last_name;
  o["email_address"] = identity.email_address;
  o["phone_number"] = identity.phone_number;
  o["identity_type"] = "user";
  o["metadata"] = json::object();
  o["public_key"] = nullptr;
  return o;
}

namespace {

json::object SenderJson(const Sender& sender, const std::string& base_url) {
  if (sender.user_id) {
    Identity id;
    id.user_id = *sender.user_id;
    id.display_name = sender.name;
    return BasicIdentityJson(id, base_url);
  }
  // A named service (Platform API): the SDK shows it through display_name.
  json::object o;
  o["id"] = nullptr;
  o["url"] = nullptr;
  o["user_id"] = nullptr;
  o["name"] = sender.name;
  o["display_name"] = sender.name;
  return o;
}

json::object PartJson(const Message& m, size_t index, const MessagePart& part,
                      const std::string& base_url, const ContentLinks* links) {
  json::object o;
  o["id"] = MessageUrl(m.id) + "/parts/" + std::to_string(index);
  o["mime_type"] = part.mime_type;
  if (part.content) {
    o["content"] = ContentJson(*part.content, base_url, links);
  } else {
    o["body"] = part.body;
  }
  if (!part.encoding.empty()) o["encoding"] = part.encoding;
  return o;
}

}  // namespace

json::object ContentJson(const ContentRef& content, const std::string& base_url,
                         const ContentLinks* links) {
  json::object c;
  c["id"] = ContentUrl(content.id);
  c["size"] = content.size;
  if (links) {
    ContentLinks::Link link = links->DownloadLink(content.id, base_url);
    c["download_url"] = link.download_url;
    c["expiration"] = FormatTime(link.expiration);
  } else {
    c["download_url"] = nullptr;
    c["expiration"] = nullptr;
  }
  c["refresh_url"] = base_url + "/content/" + content.id.str();
  return c;
}

bool IsUnreadFor(const Message& m, const UserId& viewer) {
  auto mine = m.recipient_status.find(viewer);
  const bool is_sender = m.sender.user_id && *m.sender.user_id == viewer;
  return !is_sender && mine != m.recipient_status.end() && mine->second != ReceiptState::kRead;
}

json::object MessageJson(const Message& m, const UserId& viewer, const std::string& base_url,
                         const ContentLinks* links) {
  json::object o;
  o["id"] = MessageUrl(m.id);
  o["url"] = base_url + "/messages/" + m.id.str();
  o["receipts_url"] = base_url + "/messages/" + m.id.str() + "/receipts";
  o["position"] = m.position;
  json::object conv;
  conv["id"] = ConversationUrl(m.conversation_id);
  conv["url"] = base_url + "/conversations/" + m.conversation_id.str();
  o["conversation"] = std::move(conv);
  json::array parts;
  for (size_t i = 0; i < m.parts.size(); ++i)
    parts.push_back(PartJson(m, i, m.parts[i], base_url, links));
  o["parts"] = std::move(parts);
  o["sent_at"] = FormatTime(m.sent_at);
  o["received_at"] = FormatTime(m.sent_at);
  o["sender"] = SenderJson(m.sender, base_url);
  json::object status;
  for (const auto& [user, state] : m.recipient_status) {
    status[IdentityUrl(user)] = ReceiptStateName(state);
  }
  o["is_unread"] = IsUnreadFor(m, viewer);
  o["recipient_status"] = std::move(status);
  if (m.notification) o["notification"] = *m.notification;
  return o;
}

MessageText::MessageText(const Message& m, const std::string& base_url, const ContentLinks* links) {
  json::object o = MessageJson(m, UserId(), base_url, links);
  o.erase("is_unread");
  head_ = json::serialize(o);
  head_.pop_back();  // '}'
}

std::string MessageText::For(bool is_unread) const {
  std::string out;
  out.reserve(head_.size() + 20);
  out += head_;
  out += is_unread ? R"(,"is_unread":true})" : R"(,"is_unread":false})";
  return out;
}

json::object AnnouncementJson(const Message& m, const UserId& viewer, const std::string& base_url) {
  json::object o = MessageJson(m, viewer, base_url);
  const std::string id = "layer:///announcements/" + m.id.str();
  o["id"] = id;
  o["url"] = base_url + "/announcements/" + m.id.str();
  o["receipts_url"] = base_url + "/announcements/" + m.id.str() + "/receipts";
  o.erase("conversation");
  o.erase("position");
  auto& parts = o["parts"].as_array();
  for (size_t i = 0; i < parts.size(); ++i) {
    parts[i].as_object()["id"] = id + "/parts/" + std::to_string(i);
  }
  return o;
}

json::object ConversationJson(const Conversation& c, const UserId& viewer,
                              const std::string& base_url, const ContentLinks* links) {
  json::object o;
  o["id"] = ConversationUrl(c.id);
  o["url"] = base_url + "/conversations/" + c.id.str();
  o["messages_url"] = base_url + "/conversations/" + c.id.str() + "/messages";
  o["created_at"] = FormatTime(c.created_at);
  json::array participants;
  for (const auto& p : c.participants) participants.push_back(BasicIdentityJson(p, base_url));
  o["participants"] = std::move(participants);
  o["distinct"] = c.distinct;
  o["metadata"] = c.metadata;
  o["unread_message_count"] = c.unread_message_count;
  o["total_message_count"] = c.total_message_count;
  o["last_message"] = c.last_message
                          ? json::value(MessageJson(*c.last_message, viewer, base_url, links))
                          : json::value(nullptr);
  return o;
}

}  // namespace relayer
