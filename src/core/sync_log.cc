#include "core/sync_log.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

namespace relayer {
namespace json = boost::json;
namespace {

constexpr std::pair<SyncVerb, const char*> kVerbNames[] = {
    {SyncVerb::kConversationCreated, "conversation_created"},
    {SyncVerb::kParticipantsChanged, "participants_changed"},
    {SyncVerb::kMetadataChanged, "metadata_changed"},
    {SyncVerb::kConversationDeleted, "conversation_deleted"},
    {SyncVerb::kConversationLeft, "conversation_left"},
    {SyncVerb::kMessageCreated, "message_created"},
    {SyncVerb::kMessageDeleted, "message_deleted"},
    {SyncVerb::kDeliveryReceipt, "delivery_receipt"},
    {SyncVerb::kReadReceipt, "read_receipt"},
    {SyncVerb::kMarkedAllRead, "marked_all_read"},
    {SyncVerb::kIdentityUpdated, "identity_updated"},
    {SyncVerb::kSessionStarted, "session_started"},
    {SyncVerb::kIdentityDeleted, "identity_deleted"},
    {SyncVerb::kUserBlocked, "user_blocked"},
    {SyncVerb::kUserUnblocked, "user_unblocked"},
    {SyncVerb::kAnnouncementSent, "announcement_sent"},
};

json::object ParseDetail(const std::string& text) {
  if (text.empty()) return {};
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.as_object());
}

std::string JoinUsers(const json::value* users) {
  std::string out;
  if (!users || !users->is_array()) return out;
  for (const json::value& u : users->as_array()) {
    if (!u.is_string()) continue;
    if (!out.empty()) out += ", ";
    out += std::string(u.as_string());
  }
  return out;
}

std::string ModeSuffix(const json::object& detail) {
  const json::value* mode = detail.if_contains("mode");
  if (mode && mode->is_string() && mode->as_string() == "my_devices") return " for their devices";
  if (mode && mode->is_string()) return " for all participants";
  return "";
}

std::string InConversation(const SyncLogEntry& e) {
  return " in conversation " + ConversationUrl(e.conversation_id);
}

json::array UsersArray(const std::vector<UserId>& users) {
  json::array out;
  for (const UserId& u : users) out.emplace_back(u.str());
  return out;
}

}  // namespace

const char* SyncVerbName(SyncVerb verb) {
  for (const auto& [v, name] : kVerbNames) {
    if (v == verb) return name;
  }
  return "unknown";
}

std::optional<SyncVerb> ParseSyncVerb(std::string_view name) {
  for (const auto& [v, n] : kVerbNames) {
    if (name == n) return v;
  }
  return std::nullopt;
}

std::string RenderSyncLine(const SyncLogEntry& e) {
  const json::object detail = ParseDetail(e.detail_json);
  std::string who = (e.actor.is_user ? "User " : "Service ") + e.actor.name;
  const std::string conversation = ConversationUrl(e.conversation_id);
  const std::string message = MessageUrl(MessageId(e.object_id));
  std::string line = "Sync: " + who;
  switch (e.verb) {
    case SyncVerb::kConversationCreated:
      line += " created conversation " + conversation;
      break;
    case SyncVerb::kParticipantsChanged: {
      line += " changed the participants of conversation " + conversation;
      std::string added = JoinUsers(detail.if_contains("added"));
      std::string removed = JoinUsers(detail.if_contains("removed"));
      if (!added.empty() || !removed.empty()) {
        line += " (";
        if (!added.empty()) line += "added " + added;
        if (!added.empty() && !removed.empty()) line += "; ";
        if (!removed.empty()) line += "removed " + removed;
        line += ")";
      }
      break;
    }
    case SyncVerb::kMetadataChanged:
      line += " changed the metadata of conversation " + conversation;
      break;
    case SyncVerb::kConversationDeleted:
      line += " deleted conversation " + conversation + ModeSuffix(detail);
      break;
    case SyncVerb::kConversationLeft:
      line += " left conversation " + conversation;
      break;
    case SyncVerb::kMessageCreated:
      line += " created a message" + InConversation(e);
      break;
    case SyncVerb::kMessageDeleted:
      line += " deleted message " + message + InConversation(e) + ModeSuffix(detail);
      break;
    case SyncVerb::kDeliveryReceipt:
      line += " sent a delivery receipt for message " + message + InConversation(e);
      break;
    case SyncVerb::kReadReceipt:
      line += " sent a read receipt for message " + message + InConversation(e);
      break;
    case SyncVerb::kMarkedAllRead: {
      const json::value* count = detail.if_contains("count");
      line += " marked ";
      line += count && count->is_int64() ? std::to_string(count->as_int64()) + " messages"
                                         : "all messages";
      line += " read" + InConversation(e);
      break;
    }
    case SyncVerb::kIdentityUpdated:
      line += " updated identity " + IdentityUrl(UserId(e.object_id));
      break;
    case SyncVerb::kSessionStarted:
      // Not a sync action in Layer's sense: an authentication.
      return "Auth: " + who + " authenticated and started a session.";
    case SyncVerb::kIdentityDeleted:
      line += " deleted identity " + IdentityUrl(UserId(e.object_id));
      break;
    case SyncVerb::kUserBlocked:
    case SyncVerb::kUserUnblocked: {
      const json::value* owner = detail.if_contains("owner");
      line += e.verb == SyncVerb::kUserBlocked ? " blocked user " : " unblocked user ";
      line += e.object_id;
      if (owner && owner->is_string()) line += " for user " + std::string(owner->as_string());
      break;
    }
    case SyncVerb::kAnnouncementSent: {
      const json::value* count = detail.if_contains("count");
      line += " sent announcement layer:///announcements/" + e.object_id;
      if (count && count->is_int64()) line += " to " + std::to_string(count->as_int64()) + " users";
      break;
    }
  }
  return line + ".";
}

std::string ParticipantsDetail(const std::vector<UserId>& added,
                               const std::vector<UserId>& removed) {
  return json::serialize(
      json::object{{"added", UsersArray(added)}, {"removed", UsersArray(removed)}});
}

std::string ModeDetail(bool all_participants) {
  return all_participants ? R"({"mode":"all_participants"})" : R"({"mode":"my_devices"})";
}

std::string CountDetail(int64_t count) { return json::serialize(json::object{{"count", count}}); }

std::string OwnerDetail(const UserId& owner) {
  return json::serialize(json::object{{"owner", owner.str()}});
}

}  // namespace relayer
