#include "core/validation.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace relayer {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 6838 section 4.2 restricted-name: first ALPHA/DIGIT, then up to 126 of
// ALPHA / DIGIT / "!" / "#" / "$" / "&" / "-" / "^" / "_" / "." / "+".
bool IsRestrictedName(std::string_view s) {
  if (s.empty() || s.size() > 127 || !IsAlnum(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return IsAlnum(c) || std::string_view("!#$&-^_.+").find(c) != std::string_view::npos;
  });
}

// RFC 2045 token: any printable US-ASCII except space and tspecials.
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c > 0x20 && c < 0x7f &&
           std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
  });
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses `; name=value` parameters (value a token or a quoted-string). `s` starts after the
// subtype.
bool AreValidParameters(std::string_view s) {
  while (true) {
    s = TrimSpace(s);
    if (s.empty()) return true;
    if (s.front() != ';') return false;
    s.remove_prefix(1);
    s = TrimSpace(s);
    if (s.empty()) return true;  // a trailing ';' is harmless and common
    size_t eq = s.find('=');
    if (eq == std::string_view::npos || !IsToken(TrimSpace(s.substr(0, eq)))) return false;
    s.remove_prefix(eq + 1);
    s = TrimSpace(s);
    if (!s.empty() && s.front() == '"') {
      size_t i = 1;
      for (; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\') ++i;  // quoted-pair
        if (i < s.size() && static_cast<unsigned char>(s[i]) < 0x20 && s[i] != '\t') return false;
      }
      if (i >= s.size()) return false;  // unterminated quoted-string
      s.remove_prefix(i + 1);
    } else {
      size_t end = s.find(';');
      if (!IsToken(TrimSpace(s.substr(0, end)))) return false;
      s.remove_prefix(end == std::string_view::npos ? s.size() : end);
    }
  }
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Decoded size of valid base64 (see IsValidBase64).
size_t Base64DecodedSize(std::string_view s) {
  while (!s.empty() && s.back() == '=') s.remove_suffix(1);
  return s.size() / 4 * 3 + (s.size() % 4 == 0 ? 0 : s.size() % 4 - 1);
}

std::string PartProperty(size_t i, std::string_view field) {
  std::string p = "parts[" + std::to_string(i) + "]";
  if (!field.empty()) p += "." + std::string(field);
  return p;
}

// True if `s` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace

bool IsValidMimeType(std::string_view mime) {
  size_t slash = mime.find('/');
  if (slash == std::string_view::npos) return false;
  if (!IsRestrictedName(mime.substr(0, slash))) return false;
  std::string_view rest = mime.substr(slash + 1);
  size_t end = 0;
  while (end < rest.size() && rest[end] != ';' && rest[end] != ' ' && rest[end] != '\t') ++end;
  if (!IsRestrictedName(rest.substr(0, end))) return false;
  return AreValidParameters(rest.substr(end));
}

bool IsValidBase64(std::string_view s) {
  size_t pad = 0;
  while (pad < s.size() && pad < 2 && s[s.size() - 1 - pad] == '=') ++pad;
  std::string_view data = s.substr(0, s.size() - pad);
  if (pad > 0 && s.size() % 4 != 0) return false;
  if (data.size() % 4 == 1) return false;
  return std::all_of(data.begin(), data.end(), [](char c) { return Base64Value(c) >= 0; });
}

Status ValidateParts(const std::vector<MessagePart>& parts, const Limits& limits) {
  if (parts.empty()) return InvalidProperty("parts", "a message needs at least one part");
  if (parts.size() > limits.max_parts_per_message) {
    return InvalidProperty("parts", "a message may have at most " +
                                        std::to_string(limits.max_parts_per_message) +
                                        " parts, got " + std::to_string(parts.size()));
  }
  size_t total_inline = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const MessagePart& part = parts[i];
    if (!IsValidMimeType(part.mime_type)) {
      return InvalidProperty(
          PartProperty(i, "mime_type"),
          "'" + part.mime_type + "' is not a valid MIME type (expected type/subtype)");
    }
    if (!part.encoding.empty() && part.encoding != "base64") {
      return InvalidProperty(PartProperty(i, "encoding"), "unsupported encoding '" + part.encoding +
                                                              "'; only base64 is allowed");
    }
    if (part.content) {
      if (!part.body.empty()) {
        return InvalidProperty(PartProperty(i, ""),
                               "a part has either a body or content, not both");
      }
      if (part.content->id.empty()) {
        return MissingProperty(PartProperty(i, "content.id"), "content parts need a content id");
      }
      if (part.content->size < 0) {
        return InvalidProperty(PartProperty(i, "content.size"),
                               "content size must not be negative");
      }
      continue;
    }
    size_t size = part.body.size();
    if (part.encoding == "base64") {
      if (!IsValidBase64(part.body)) {
        return InvalidProperty(PartProperty(i, "body"), "body is not valid base64");
      }
      size = Base64DecodedSize(part.body);
    }
    if (size > limits.max_inline_part_bytes) {
      return InvalidProperty(
          PartProperty(i, "body"),
          "part body is " + std::to_string(size) + " bytes but inline bodies are limited to " +
              std::to_string(limits.max_inline_part_bytes) +
              " bytes; upload larger parts as rich content (POST /content) and send "
              "content: {id, size} instead of body");
    }
    total_inline += size;
  }
  if (total_inline > limits.max_message_bytes) {
    return InvalidProperty("parts", "inline parts total " + std::to_string(total_inline) +
                                        " bytes, more than the " +
                                        std::to_string(limits.max_message_bytes) +
                                        " bytes a message may carry inline; upload large parts "
                                        "as rich content (POST /content)");
  }
  return Status::Ok();
}

std::vector<UserId> NormalizeParticipants(std::vector<UserId> participants) {
  std::sort(participants.begin(), participants.end());
  participants.erase(std::unique(participants.begin(), participants.end()), participants.end());
  return participants;
}

std::string DistinctKey(std::vector<UserId> participants) {
  std::string key;
  for (const UserId& u : NormalizeParticipants(std::move(participants))) {
    key += std::to_string(u.str().size());
    key.push_back(':');
    key += u.str();
  }
  return key;
}

Status ValidateUserId(std::string_view user_id, const Limits& limits) {
  if (user_id.empty()) return InvalidProperty("user_id", "user id must not be empty");
  if (user_id.size() > limits.max_user_id_bytes) {
    return InvalidProperty("user_id", "user id is " + std::to_string(user_id.size()) +
                                          " bytes, longer than the limit of " +
                                          std::to_string(limits.max_user_id_bytes));
  }
  for (char c : user_id) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return InvalidProperty("user_id", "user id must not contain control characters");
    }
  }
  if (!IsValidUtf8(user_id)) return InvalidProperty("user_id", "user id must be valid UTF-8");
  return Status::Ok();
}

}  // namespace relayer
