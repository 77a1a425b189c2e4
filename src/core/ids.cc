#include "core/ids.h"

#include <cctype>

namespace relayer {
namespace {

std::optional<std::string> StripPrefix(std::string_view s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) == prefix) return std::string(s.substr(prefix.size()));
  return std::string(s);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (HexValue(s[i]) < 0) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> CanonicalUuid(std::string_view s) {
  if (!IsUuid(s)) return std::nullopt;
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<ConversationId> ParseConversationId(std::string_view s) {
  auto u = CanonicalUuid(*StripPrefix(s, "layer:///conversations/"));
  if (!u) return std::nullopt;
  return ConversationId(*u);
}

std::optional<MessageId> ParseMessageId(std::string_view s) {
  auto u = CanonicalUuid(*StripPrefix(s, "layer:///messages/"));
  if (!u) return std::nullopt;
  return MessageId(*u);
}

std::optional<ContentId> ParseContentId(std::string_view s) {
  auto u = CanonicalUuid(*StripPrefix(s, "layer:///content/"));
  if (!u) return std::nullopt;
  return ContentId(*u);
}

std::optional<AppId> ParseAppId(std::string_view s) {
  for (std::string_view prefix : {"layer:///apps/staging/", "layer:///apps/production/"}) {
    if (s.substr(0, prefix.size()) == prefix) {
      s.remove_prefix(prefix.size());
      break;
    }
  }
  auto u = CanonicalUuid(s);
  if (!u) return std::nullopt;
  return AppId(*u);
}

std::optional<UserId> ParseIdentityRef(std::string_view s) {
  constexpr std::string_view kPrefix = "layer:///identities/";
  std::string raw;
  if (s.substr(0, kPrefix.size()) == kPrefix) {
    auto decoded = PercentDecode(s.substr(kPrefix.size()));
    if (!decoded) return std::nullopt;
    raw = *decoded;
  } else {
    raw = std::string(s);
  }
  if (raw.empty()) return std::nullopt;
  return UserId(raw);
}

std::string ConversationUrl(const ConversationId& id) {
  return "layer:///conversations/" + id.str();
}
std::string MessageUrl(const MessageId& id) { return "layer:///messages/" + id.str(); }
std::string ContentUrl(const ContentId& id) { return "layer:///content/" + id.str(); }
std::string IdentityUrl(const UserId& id) {
  return "layer:///identities/" + PercentEncode(id.str());
}

std::string ConversationHttpUrl(const std::string& base_url, const ConversationId& id) {
  return base_url + "/conversations/" + id.str();
}
std::string MessageHttpUrl(const std::string& base_url, const MessageId& id) {
  return base_url + "/messages/" + id.str();
}
std::string IdentityHttpUrl(const std::string& base_url, const UserId& id) {
  return base_url + "/identities/" + PercentEncode(id.str());
}
std::string AnnouncementUrl(const MessageId& id) { return "layer:///announcements/" + id.str(); }
std::string AnnouncementHttpUrl(const std::string& base_url, const MessageId& id) {
  return base_url + "/announcements/" + id.str();
}

std::string PercentEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace relayer
