#include "store/sqlite/hot_rows.h"

namespace relayer::sqlite {
namespace {

// An app's user (or event type), unambiguous whatever the two hold: the app id's length leads.
std::string AppKey(const AppId& app, std::string_view rest) {
  std::string key = std::to_string(app.str().size());
  key += ':';
  key += app.str();
  key += rest;
  return key;
}

std::string NameKey(const AppId& app, const UserId& user) { return AppKey(app, user.str()); }

// Flags of two kinds in one map: a leading 'w' (webhooks by type) or 'p' (push tokens).
std::string FlagKey(char kind, const AppId& app, std::string_view type) {
  return kind + AppKey(app, type);
}

}  // namespace

HotRows::Conversation* HotRows::FindConversation(const AppId& app, const ConversationId& id) {
  auto it = conversations_.find(id.str());
  if (it == conversations_.end() || it->second.row.app != app) return nullptr;
  return &it->second;
}

HotRows::Conversation& HotRows::PutConversation(Conversation c) {
  if (conversations_.size() >= kMaxEntries) conversations_.clear();
  std::string key = c.row.id.str();
  return conversations_.insert_or_assign(std::move(key), std::move(c)).first->second;
}

const std::string* HotRows::FindName(const AppId& app, const UserId& user) const {
  auto it = names_.find(NameKey(app, user));
  return it == names_.end() ? nullptr : &it->second;
}

void HotRows::PutName(const AppId& app, const UserId& user, std::string name) {
  if (names_.size() >= kMaxEntries) names_.clear();
  names_.insert_or_assign(NameKey(app, user), std::move(name));
}

MessageRow* HotRows::FindMessage(const MessageId& id) {
  auto it = messages_.find(id.str());
  return it == messages_.end() ? nullptr : &it->second;
}

void HotRows::PutMessage(MessageRow row) {
  if (messages_.size() >= kMaxEntries) messages_.clear();
  std::string key = row.message.id.str();
  messages_.insert_or_assign(std::move(key), std::move(row));
}

const bool* HotRows::FindWebhookWants(const AppId& app, std::string_view type) const {
  auto it = flags_.find(FlagKey('w', app, type));
  return it == flags_.end() ? nullptr : &it->second;
}

void HotRows::PutWebhookWants(const AppId& app, std::string_view type, bool wants) {
  if (flags_.size() >= kMaxEntries) flags_.clear();
  flags_.insert_or_assign(FlagKey('w', app, type), wants);
}

const bool* HotRows::FindHasPushTokens(const AppId& app) const {
  auto it = flags_.find(FlagKey('p', app, ""));
  return it == flags_.end() ? nullptr : &it->second;
}

void HotRows::PutHasPushTokens(const AppId& app, bool has) {
  if (flags_.size() >= kMaxEntries) flags_.clear();
  flags_.insert_or_assign(FlagKey('p', app, ""), has);
}

void HotRows::Clear() {
  conversations_.clear();
  names_.clear();
  flags_.clear();
  messages_.clear();
}

}  // namespace relayer::sqlite
