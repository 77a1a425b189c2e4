#include "client/codec.h"

#include <boost/json.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>

namespace relayer::sdk {

namespace json = boost::json;

std::string JStr(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t JInt(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->as_double());
  return 0;
}

const json::object* JObj(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::string Codec::UserOfIdentity(std::string_view id) {
  constexpr std::string_view prefix = "layer:///identities/";
  if (id.substr(0, prefix.size()) == prefix) id.remove_prefix(prefix.size());
  std::string out;
  for (size_t i = 0; i < id.size(); ++i) {
    if (id[i] == '%' && i + 2 < id.size() && std::isxdigit(uint8_t(id[i + 1])) &&
        std::isxdigit(uint8_t(id[i + 2]))) {
      out += static_cast<char>(std::strtol(std::string(id.substr(i + 1, 2)).c_str(), nullptr, 16));
      i += 2;
    } else {
      out += id[i];
    }
  }
  return out;
}

std::string Codec::PercentEncode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string Codec::IdentityOfUser(std::string_view user) {
  return "layer:///identities/" + PercentEncode(user);
}

std::string Codec::Uuid(std::string_view id) {
  size_t slash = id.rfind('/');
  return std::string(slash == std::string_view::npos ? id : id.substr(slash + 1));
}

std::string Codec::NewUuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  a = (a & 0xFFFFFFFFFFFF0FFFull) | 0x4000ull;              // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFFF),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string Codec::Base64Encode(std::string_view in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kB64[(n >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += kB64[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

bool Codec::Base64Decode(std::string_view in, std::string& out) {
  out.clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    const char* p = std::strchr(kB64, c);
    if (!p || c == 0) return false;
    acc = (acc << 6) | uint32_t(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return true;
}

bool Codec::IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (n < 0 || s.size() - i <= static_cast<size_t>(n)) return false;
    for (int k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += n + 1;
  }
  return true;
}

ReceiptState Codec::ParseState(std::string_view s) {
  if (s == "read") return ReceiptState::kRead;
  if (s == "delivered") return ReceiptState::kDelivered;
  return ReceiptState::kSent;
}

std::chrono::system_clock::time_point Codec::ParseTime(std::string_view iso) {
  std::tm tm{};
  int ms = 0;
  std::string s(iso);
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
    return {};
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  auto secs = timegm(&tm);
  return std::chrono::system_clock::from_time_t(secs) + std::chrono::milliseconds(ms);
}

MessagePart Codec::ReadPart(const json::object& o) {
  MessagePart part;
  part.mime_type_ = JStr(o, "mime_type");
  part.id_ = JStr(o, "id");
  if (auto* c = JObj(o, "content")) {
    ContentInfo info{JStr(*c, "id"), JInt(*c, "size"), JStr(*c, "download_url"),
                     JStr(*c, "expiration")};
    part.content_ = std::move(info);
    part.loaded_ = false;
  } else {
    std::string body = JStr(o, "body");
    if (JStr(o, "encoding") == "base64") {
      std::string bytes;
      if (Base64Decode(body, bytes)) body = std::move(bytes);
    }
    part.body_ = std::move(body);
    part.loaded_ = true;
  }
  return part;
}

json::object Codec::PartJson(const MessagePart& part) {
  json::object o;
  o["mime_type"] = part.mime_type_;
  if (part.content_ && !part.content_->id.empty()) {
    o["content"] = json::object{{"id", part.content_->id}, {"size", part.content_->size}};
  } else if (IsUtf8(part.body_)) {
    o["body"] = part.body_;
  } else {
    o["body"] = Base64Encode(part.body_);
    o["encoding"] = "base64";
  }
  return o;
}

void Codec::SetContent(MessagePart& part, ContentInfo content) {
  part.content_ = std::move(content);
}

void Codec::SetBody(MessagePart& part, std::string body) {
  part.body_ = std::move(body);
  part.loaded_ = true;
}

void Codec::ReadMessage(const json::object& o, MessageRecord& rec) {
  rec.id = MessageId(JStr(o, "id"));
  if (auto* c = JObj(o, "conversation")) rec.conversation = ConversationId(JStr(*c, "id"));
  if (auto* parts = o.if_contains("parts"); parts && parts->is_array()) {
    std::vector<MessagePart> read;
    for (const auto& p : parts->as_array())
      if (p.is_object()) read.push_back(ReadPart(p.as_object()));
    // Keep bodies this client already has (its own uploads, fetched content).
    for (size_t i = 0; i < read.size() && i < rec.parts.size(); ++i)
      if (!read[i].loaded_ && rec.parts[i].loaded_) SetBody(read[i], rec.parts[i].body_);
    rec.parts = std::move(read);
  }
  if (auto* s = JObj(o, "sender")) {
    rec.sender.user_id = JStr(*s, "user_id");
    rec.sender.name = JStr(*s, "name");
    rec.sender.display_name = JStr(*s, "display_name");
  }
  rec.position = JInt(o, "position");
  rec.sent_at = ParseTime(JStr(o, "sent_at"));
  if (auto* rs = JObj(o, "recipient_status")) {
    for (const auto& [k, v] : *rs) {
      if (!v.is_string()) continue;
      auto user = UserOfIdentity(k);
      auto state = ParseState(v.as_string());
      auto it = rec.status.find(user);
      if (it == rec.status.end() || it->second < state) rec.status[user] = state;
    }
  }
  rec.queued = true;
  rec.sent = true;
}

void Codec::FlattenMetadata(const json::value& v, const std::string& prefix, Metadata& out) {
  if (v.is_string()) {
    out[prefix] = std::string(v.as_string());
  } else if (v.is_object()) {
    for (const auto& [k, sub] : v.as_object())
      FlattenMetadata(sub, prefix.empty() ? std::string(k) : prefix + "." + std::string(k), out);
  }
}

json::object Codec::MetadataJson(const Metadata& m) {
  json::object root;
  for (const auto& [key, value] : m) {
    json::object* at = &root;
    size_t start = 0;
    for (;;) {
      size_t dot = key.find('.', start);
      if (dot == std::string::npos) {
        (*at)[key.substr(start)] = value;
        break;
      }
      auto& next = (*at)[key.substr(start, dot - start)];
      if (!next.is_object()) next = json::object();
      at = &next.as_object();
      start = dot + 1;
    }
  }
  return root;
}

void Codec::ReadConversation(const json::object& o, ConversationRecord& rec) {
  rec.id = ConversationId(JStr(o, "id"));
  if (auto* ps = o.if_contains("participants"); ps && ps->is_array()) {
    rec.participants.clear();
    for (const auto& p : ps->as_array()) {
      if (p.is_string()) rec.participants.push_back(UserOfIdentity(p.as_string()));
      if (p.is_object()) rec.participants.push_back(JStr(p.as_object(), "user_id"));
    }
  }
  if (auto* d = o.if_contains("distinct"); d && d->is_bool()) rec.distinct = d->as_bool();
  rec.metadata.clear();
  if (auto* m = o.if_contains("metadata")) FlattenMetadata(*m, "", rec.metadata);
  rec.unread = JInt(o, "unread_message_count");
  rec.total = JInt(o, "total_message_count");
  if (auto* lm = JObj(o, "last_message")) rec.last_message = MessageId(JStr(*lm, "id"));
  rec.synced = true;
}

}  // namespace relayer::sdk
