#include "cli_format.h"

#include <boost/json.hpp>
#include <ctime>

namespace relayer::apps {

namespace json = boost::json;

ReceiptState LeastRecipientState(const Message& m) {
  if (!m.isSent()) return ReceiptState::kPending;
  std::string sender = m.sender().user_id;
  ReceiptState least = ReceiptState::kRead;
  bool any = false;
  for (const auto& [user, state] : m.recipientStatus()) {
    if (user == sender) continue;
    any = true;
    least = std::min(least, state);
  }
  return any ? std::max(least, ReceiptState::kSent) : ReceiptState::kSent;
}

const char* ReceiptMark(ReceiptState s) {
  switch (s) {
    case ReceiptState::kPending:
      return "…";
    case ReceiptState::kSent:
      return "✓";
    case ReceiptState::kDelivered:
      return "✓✓";
    case ReceiptState::kRead:
      return "read";
  }
  return "?";
}

std::string SenderName(const Message& m) {
  Sender s = m.sender();
  return s.isService() ? s.name : s.user_id;
}

std::string PartsText(const Message& m) {
  std::string out;
  for (const auto& part : m.parts()) {
    if (!out.empty()) out += " ";
    if (part.mimeType().rfind("text/plain", 0) == 0 && part.isLoaded()) {
      out += part.body();
    } else {
      int64_t size =
          part.hasContent() ? part.content()->size : static_cast<int64_t>(part.body().size());
      out += "[" + part.mimeType() + ", " + std::to_string(size) + " bytes]";
    }
  }
  return out;
}

namespace {

std::string Clock(std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

}  // namespace

std::string ClockTime(const Message& m) {
  std::time_t t = std::chrono::system_clock::to_time_t(m.sentAt());
  return Clock(t == 0 ? std::time(nullptr) : t);  // not sent yet: now
}

std::string ShortId(const std::string& layer_id) {
  auto slash = layer_id.rfind('/');
  return layer_id.substr(slash == std::string::npos ? 0 : slash + 1, 8);
}

std::string MessageLine(const Message& m) {
  return ClockTime(m) + " [" + ShortId(m.conversationId().str()) + "] " + SenderName(m) + ": " +
         PartsText(m);
}

std::string ReceiptLine(const Message& m, const std::string& user, ReceiptState state) {
  std::string text = PartsText(m);
  if (text.size() > 40) text = text.substr(0, 40) + "…";
  // The receipt's own time (now), not the message's.
  return Clock(std::time(nullptr)) + " [" + ShortId(m.conversationId().str()) + "] " + user + " " +
         ToString(state) + " " + SenderName(m) + "'s \"" + text + "\"";
}

namespace {

bool IsText(const std::string& mime) { return mime.rfind("text/", 0) == 0; }

std::string Base64(const std::string& in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  while (out.size() % 4) out += '=';
  return out;
}

}  // namespace

std::string MessageJson(const Message& m) {
  json::array parts;
  for (const auto& part : m.parts()) {
    json::object p{{"mime_type", part.mimeType()}};
    if (part.hasContent()) {
      p["content"] = json::object{{"id", part.content()->id}, {"size", part.content()->size}};
    }
    if (part.isLoaded()) {
      if (IsText(part.mimeType())) {
        p["body"] = part.body();
      } else {
        p["body_base64"] = Base64(part.body());
      }
    }
    parts.push_back(std::move(p));
  }
  auto sent = std::chrono::duration_cast<std::chrono::milliseconds>(m.sentAt().time_since_epoch());
  json::object o{{"type", "message"},
                 {"id", m.id().str()},
                 {"conversation", m.conversationId().str()},
                 {"sender", SenderName(m)},
                 {"sent_at_ms", sent.count()},
                 {"position", m.position()},
                 {"parts", std::move(parts)}};
  return json::serialize(o);
}

std::string ReceiptJson(const Message& m, const std::string& user, ReceiptState state) {
  json::object o{{"type", "receipt"},
                 {"message", m.id().str()},
                 {"conversation", m.conversationId().str()},
                 {"user", user},
                 {"status", ToString(state)}};
  return json::serialize(o);
}

}  // namespace relayer::apps
