#include "core/representation.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <ctime>

#include "core/json_text.h"
#include "core/receipts.h"

namespace relayer {

namespace json = boost::json;

namespace {

// "YYYY-MM-DDTHH:MM:SS.mmmZ" appended to `out`. The text up to the second is kept per thread:
// the times of one batch or one page share it, and gmtime_r and printf run once per second.
void AppendTime(std::string& out, TimeMs t) {
  std::time_t secs = static_cast<std::time_t>(t / 1000);
  int ms = static_cast<int>(t % 1000);
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  thread_local std::time_t cached_secs = -1;
  thread_local char cached[48];
  thread_local int cached_len = 0;
  if (secs != cached_secs || cached_len <= 0) {
    std::tm tm{};
    gmtime_r(&secs, &tm);
    cached_len =
        std::snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_secs = secs;
  }
  out.append(cached, static_cast<size_t>(cached_len));
  const char frac[6] = {'.',
                        static_cast<char>('0' + ms / 100),
                        static_cast<char>('0' + ms / 10 % 10),
                        static_cast<char>('0' + ms % 10),
                        'Z',
                        0};
  out.append(frac, 5);
}

void AppendTimeJson(std::string& out, TimeMs t) {
  out += '"';
  AppendTime(out, t);
  out += '"';
}

json::object ParsedObject(const std::string& text) { return json::parse(text).as_object(); }

}  // namespace

std::string FormatTime(TimeMs t) {
  std::string out;
  AppendTime(out, t);
  return out;
}

void AppendBasicIdentityJson(std::string& out, const Identity& identity,
                             const std::string& base_url) {
  out += R"({"id":)";
  AppendJsonString(out, IdentityUrl(identity.user_id));
  out += R"(,"url":)";
  AppendJsonString(out, IdentityHttpUrl(base_url, identity.user_id));
  out += R"(,"user_id":)";
  AppendJsonString(out, identity.user_id.str());
  out += R"(,"display_name":)";
  AppendJsonString(out, identity.display_name);
  out += R"(,"avatar_url":)";
  if (identity.avatar_url.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, identity.avatar_url);
  }
  out += '}';
}

json::object BasicIdentityJson(const Identity& identity, const std::string& base_url) {
  std::string text;
  AppendBasicIdentityJson(text, identity, base_url);
  return ParsedObject(text);
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

void AppendSenderJson(std::string& out, const Sender& sender, const std::string& base_url) {
  if (sender.user_id) {
    Identity id;
    id.user_id = *sender.user_id;
    id.display_name = sender.name;
    AppendBasicIdentityJson(out, id, base_url);
    return;
  }
  // A named service (Platform API): the SDK shows it through display_name.
  out += R"({"id":null,"url":null,"user_id":null,"name":)";
  AppendJsonString(out, sender.name);
  out += R"(,"display_name":)";
  AppendJsonString(out, sender.name);
  out += '}';
}

void AppendContentJson(std::string& out, const ContentRef& content, const std::string& base_url,
                       const ContentLinks* links) {
  out += R"({"id":)";
  AppendJsonString(out, ContentUrl(content.id));
  out += R"(,"size":)";
  AppendJsonInt(out, content.size);
  if (links) {
    ContentLinks::Link link = links->DownloadLink(content.id, base_url);
    out += R"(,"download_url":)";
    AppendJsonString(out, link.download_url);
    out += R"(,"expiration":)";
    AppendTimeJson(out, link.expiration);
  } else {
    out += R"(,"download_url":null,"expiration":null)";
  }
  out += R"(,"refresh_url":)";
  AppendJsonString(out, base_url + "/content/" + content.id.str());
  out += '}';
}

void AppendPartJson(std::string& out, const std::string& message_url, size_t index,
                    const MessagePart& part, const std::string& base_url,
                    const ContentLinks* links) {
  out += R"({"id":)";
  AppendJsonString(out, message_url + "/parts/" + std::to_string(index));
  out += R"(,"mime_type":)";
  AppendJsonString(out, part.mime_type);
  if (part.content) {
    out += R"(,"content":)";
    AppendContentJson(out, *part.content, base_url, links);
  } else {
    out += R"(,"body":)";
    AppendJsonString(out, part.body);
  }
  if (!part.encoding.empty()) {
    out += R"(,"encoding":)";
    AppendJsonString(out, part.encoding);
  }
  out += '}';
}

// Every field of a message but is_unread, from '{' on, without the closing brace: the one
// definition of the message representation (MessageJson and MessageText build on it).
void AppendMessageFields(std::string& out, const Message& m, const std::string& base_url,
                         const ContentLinks* links) {
  const std::string message_url = MessageUrl(m.id);
  const std::string http_url = MessageHttpUrl(base_url, m.id);
  out += R"({"id":)";
  AppendJsonString(out, message_url);
  out += R"(,"url":)";
  AppendJsonString(out, http_url);
  out += R"(,"receipts_url":)";
  AppendJsonString(out, http_url + "/receipts");
  out += R"(,"position":)";
  AppendJsonInt(out, m.position);
  out += R"(,"conversation":{"id":)";
  AppendJsonString(out, ConversationUrl(m.conversation_id));
  out += R"(,"url":)";
  AppendJsonString(out, ConversationHttpUrl(base_url, m.conversation_id));
  out += R"(},"parts":[)";
  for (size_t i = 0; i < m.parts.size(); ++i) {
    if (i) out += ',';
    AppendPartJson(out, message_url, i, m.parts[i], base_url, links);
  }
  out += R"(],"sent_at":)";
  AppendTimeJson(out, m.sent_at);
  out += R"(,"received_at":)";
  AppendTimeJson(out, m.sent_at);
  out += R"(,"sender":)";
  AppendSenderJson(out, m.sender, base_url);
  out += R"(,"recipient_status":{)";
  bool first = true;
  for (const auto& [user, state] : m.recipient_status) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, IdentityUrl(user));
    out += ':';
    AppendJsonString(out, ReceiptStateName(state));
  }
  out += '}';
  if (m.notification) {
    out += R"(,"notification":)";
    out += json::serialize(*m.notification);
  }
}

// The one viewer-specific field, last, and the message's closing brace.
void AppendIsUnreadAndClose(std::string& out, bool is_unread) {
  out += is_unread ? R"(,"is_unread":true})" : R"(,"is_unread":false})";
}

}  // namespace

json::object ContentJson(const ContentRef& content, const std::string& base_url,
                         const ContentLinks* links) {
  std::string text;
  AppendContentJson(text, content, base_url, links);
  return ParsedObject(text);
}

bool IsUnreadFor(const Message& m, const UserId& viewer) {
  auto mine = m.recipient_status.find(viewer);
  const bool is_sender = m.sender.user_id && *m.sender.user_id == viewer;
  return !is_sender && mine != m.recipient_status.end() && mine->second != ReceiptState::kRead;
}

void AppendMessageJson(std::string& out, const Message& m, bool is_unread,
                       const std::string& base_url, const ContentLinks* links) {
  AppendMessageFields(out, m, base_url, links);
  AppendIsUnreadAndClose(out, is_unread);
}

json::object MessageJson(const Message& m, const UserId& viewer, const std::string& base_url,
                         const ContentLinks* links) {
  std::string text;
  AppendMessageJson(text, m, IsUnreadFor(m, viewer), base_url, links);
  return ParsedObject(text);
}

MessageText::MessageText(const Message& m, const std::string& base_url, const ContentLinks* links) {
  AppendMessageFields(head_, m, base_url, links);
}

std::string MessageText::For(bool is_unread) const {
  std::string out;
  out.reserve(head_.size() + 20);
  out += head_;
  AppendIsUnreadAndClose(out, is_unread);
  return out;
}

json::object AnnouncementJson(const Message& m, const UserId& viewer, const std::string& base_url) {
  json::object o = MessageJson(m, viewer, base_url);
  const std::string id = AnnouncementUrl(m.id);
  o["id"] = id;
  o["url"] = AnnouncementHttpUrl(base_url, m.id);
  o["receipts_url"] = AnnouncementHttpUrl(base_url, m.id) + "/receipts";
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
  o["url"] = ConversationHttpUrl(base_url, c.id);
  o["messages_url"] = ConversationHttpUrl(base_url, c.id) + "/messages";
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
