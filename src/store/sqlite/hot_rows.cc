#include "store/sqlite/hot_rows.h"

namespace relayer::sqlite {
namespace {

// An app's user, unambiguous whatever the two ids hold: the app id's length leads.
std::string NameKey(const AppId& app, const UserId& user) {
  std::string key = std::to_string(app.str().size());
  key += ':';
  key += app.str();
  key += user.str();
  return key;
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

void HotRows::Clear() {
  conversations_.clear();
  names_.clear();
}

}  // namespace relayer::sqlite
