#include "server/dashboard/dashboard_json.h"

#include <boost/json/array.hpp>

#include "core/ids.h"
#include "core/receipts.h"
#include "core/representation.h"

namespace relayer::server {
namespace json = boost::json;
namespace {

// Enough of a text part to recognise the message; the dashboard is no message viewer.
constexpr size_t kTextPreview = 200;

json::object PartJson(const MessagePart& p) {
  json::object o{{"mime_type", p.mime_type}};
  o["size"] = static_cast<int64_t>(p.content ? p.content->size : p.body.size());
  if (!p.content && p.encoding.empty() && p.mime_type.rfind("text/", 0) == 0) {
    std::string text = p.body.substr(0, kTextPreview);
    // Never cut inside a UTF-8 sequence: drop continuation bytes at the cut, then the lead byte.
    if (p.body.size() > kTextPreview) {
      while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80)
        text.pop_back();
      if (!text.empty() && (static_cast<unsigned char>(text.back()) & 0x80)) text.pop_back();
    }
    o["text"] = text;
  }
  return o;
}

}  // namespace

json::object SyncLogEntryJson(const SyncLogEntry& e) {
  json::object o;
  o["seq"] = e.seq;
  o["ts"] = e.ts;
  o["time"] = FormatTime(e.ts);
  o["actor"] = e.actor.name;
  o["actor_type"] = e.actor.is_user ? "user" : "service";
  o["verb"] = SyncVerbName(e.verb);
  o["object_id"] = e.object_id;
  if (e.conversation_id.empty()) {
    o["conversation_id"] = nullptr;
  } else {
    o["conversation_id"] = ConversationUrl(e.conversation_id);
  }
  o["line"] = RenderSyncLine(e);
  return o;
}

json::object DashboardMessageJson(const Message& m) {
  json::object o;
  o["id"] = MessageUrl(m.id);
  o["position"] = m.position;
  o["sent_at"] = FormatTime(m.sent_at);
  json::object sender{{"name", m.sender.name}};
  if (m.sender.user_id) sender["user_id"] = m.sender.user_id->str();
  o["sender"] = std::move(sender);
  json::array parts;
  for (const MessagePart& p : m.parts) parts.push_back(PartJson(p));
  o["parts"] = std::move(parts);
  json::object status;
  for (const auto& [user, state] : m.recipient_status) status[user.str()] = ReceiptStateName(state);
  o["recipient_status"] = std::move(status);
  return o;
}

json::object DashboardConversationJson(const Conversation& c,
                                       const std::vector<Message>& messages) {
  json::object o;
  o["id"] = ConversationUrl(c.id);
  o["created_at"] = FormatTime(c.created_at);
  o["distinct"] = c.distinct;
  o["metadata"] = c.metadata;
  json::array participants;
  for (const Identity& i : c.participants) {
    participants.push_back(
        json::object{{"user_id", i.user_id.str()}, {"display_name", i.display_name}});
  }
  o["participants"] = std::move(participants);
  o["total_message_count"] = c.total_message_count;
  json::array list;
  for (const Message& m : messages) list.push_back(DashboardMessageJson(m));
  o["messages"] = std::move(list);
  return o;
}

}  // namespace relayer::server
