// Typed ids. A user id never silently becomes a conversation id: each kind is its own type and
// is built only explicitly. Conversation, message and content ids hold a canonical lower-case UUID;
// their Layer URLs ("layer:///conversations/UUID") are made and parsed here.
#pragma once

#include <compare>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace relayer {

template <class Tag>
class Id {
 public:
  Id() = default;
  explicit Id(std::string value) : value_(std::move(value)) {}
  const std::string& str() const { return value_; }
  bool empty() const { return value_.empty(); }
  auto operator<=>(const Id&) const = default;

 private:
  std::string value_;
};

using AppId = Id<struct AppIdTag>;                    // UUID
using UserId = Id<struct UserIdTag>;                  // the app's own user id, any non-empty string
using ConversationId = Id<struct ConversationIdTag>;  // UUID
using MessageId = Id<struct MessageIdTag>;            // UUID
using ContentId = Id<struct ContentIdTag>;            // UUID
using SessionToken = Id<struct SessionTokenTag>;      // random, opaque
using Nonce = Id<struct NonceTag>;                    // random, opaque

// True for a UUID in 8-4-4-4-12 hex form (any case).
bool IsUuid(std::string_view s);
// Lower-cases a UUID; nullopt if `s` is not one.
std::optional<std::string> CanonicalUuid(std::string_view s);

// Parse "layer:///conversations/UUID" or a bare UUID.
std::optional<ConversationId> ParseConversationId(std::string_view s);
// Parse "layer:///messages/UUID" or a bare UUID.
std::optional<MessageId> ParseMessageId(std::string_view s);
// Parse "layer:///content/UUID" or a bare UUID.
std::optional<ContentId> ParseContentId(std::string_view s);
// Parse "layer:///apps/staging/UUID", "layer:///apps/production/UUID" or a bare UUID.
std::optional<AppId> ParseAppId(std::string_view s);
// Parse "layer:///identities/<url-encoded user id>" or a bare user id. Empty input is invalid.
std::optional<UserId> ParseIdentityRef(std::string_view s);

std::string ConversationUrl(const ConversationId& id);  // layer:///conversations/UUID
std::string MessageUrl(const MessageId& id);            // layer:///messages/UUID
std::string IdentityUrl(const UserId& id);              // layer:///identities/<encoded>
std::string ContentUrl(const ContentId& id);            // layer:///content/UUID
std::string AnnouncementUrl(const MessageId& id);       // layer:///announcements/UUID
// The same objects' REST URLs under `base_url`, the server's public origin (or an app's base).
std::string ConversationHttpUrl(const std::string& base_url, const ConversationId& id);
std::string MessageHttpUrl(const std::string& base_url, const MessageId& id);
std::string IdentityHttpUrl(const std::string& base_url, const UserId& id);
std::string AnnouncementHttpUrl(const std::string& base_url, const MessageId& id);

// Percent-encoding as in a URL path segment (unreserved characters kept).
std::string PercentEncode(std::string_view s);
std::optional<std::string> PercentDecode(std::string_view s);

}  // namespace relayer

template <class Tag>
struct std::hash<relayer::Id<Tag>> {
  size_t operator()(const relayer::Id<Tag>& id) const noexcept {
    return std::hash<std::string>()(id.str());
  }
};
