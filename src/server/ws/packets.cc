#include "server/ws/packets.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <ctime>

#include "core/json_text.h"
#include "core/representation.h"
#include "server/ws/frames.h"

namespace relayer::server {

namespace json = boost::json;

void AppendPacketFrame(std::string& out, std::string_view type, uint64_t counter, TimeMs timestamp,
                       std::string_view body_json) {
  constexpr std::string_view kType = R"({"type":")", kCounter = R"(","counter":)",
                             kTimestamp = R"(,"timestamp":")", kBody = R"(","body":)";
  char digits[24];
  const int digits_len =
      std::snprintf(digits, sizeof digits, "%llu", static_cast<unsigned long long>(counter));
  // A packet's timestamp repeats within a batch: format each millisecond once per thread.
  thread_local TimeMs cached_ts = -1;
  thread_local std::string cached_text;
  if (timestamp != cached_ts) {
    cached_text = FormatTime(timestamp);
    cached_ts = timestamp;
  }
  const size_t size = kType.size() + type.size() + kCounter.size() +
                      static_cast<size_t>(digits_len) + kTimestamp.size() + cached_text.size() +
                      kBody.size() + body_json.size() + 1;
  ws::AppendFrameHeader(out, ws::Opcode::kText, size);
  out += kType;
  out += type;
  out += kCounter;
  out.append(digits, static_cast<size_t>(digits_len));
  out += kTimestamp;
  out += cached_text;
  out += kBody;
  out += body_json;
  out += '}';
}

const char* ObjectTypeName(ObjectType t) {
  switch (t) {
    case ObjectType::kConversation:
      return "Conversation";
    case ObjectType::kMessage:
      return "Message";
    case ObjectType::kIdentity:
      return "Identity";
    case ObjectType::kAnnouncement:
      return "Announcement";
  }
  return "Conversation";
}

std::string ObjectIdUrl(ObjectType t, const std::string& id) {
  switch (t) {
    case ObjectType::kConversation:
      return "layer:///conversations/" + id;
    case ObjectType::kMessage:
      return "layer:///messages/" + id;
    case ObjectType::kIdentity:
      return IdentityUrl(UserId(id));
    case ObjectType::kAnnouncement:
      return AnnouncementUrl(MessageId(id));
  }
  return id;
}

namespace {
std::string ObjectHttpUrl(ObjectType t, const std::string& id, const std::string& base_url) {
  switch (t) {
    case ObjectType::kConversation:
      return ConversationHttpUrl(base_url, ConversationId(id));
    case ObjectType::kMessage:
      return MessageHttpUrl(base_url, MessageId(id));
    case ObjectType::kIdentity:
      return IdentityHttpUrl(base_url, UserId(id));
    case ObjectType::kAnnouncement:
      return AnnouncementHttpUrl(base_url, MessageId(id));
  }
  return base_url;
}

const char* OpName(ChangeOp op) {
  switch (op) {
    case ChangeOp::kCreate:
      return "create";
    case ChangeOp::kUpdate:
      return "update";
    case ChangeOp::kDelete:
      return "delete";
  }
  return "update";
}
}  // namespace

std::string ChangeBody(const Change& change, std::string_view data_json,
                       const std::string& base_url) {
  std::string out;
  out.reserve(data_json.size() + 2 * change.object_id.size() + base_url.size() + 128);
  out += R"({"operation":")";
  out += OpName(change.op);
  out += R"(","object":{"type":")";
  out += ObjectTypeName(change.type);
  out += R"(","id":)";
  AppendJsonString(out, ObjectIdUrl(change.type, change.object_id));
  out += R"(,"url":)";
  AppendJsonString(out, ObjectHttpUrl(change.type, change.object_id, base_url));
  out += R"(},"data":)";
  out += data_json;
  out += '}';
  return out;
}

std::string_view ChangeDataJson(const Change& change) {
  return change.data_json.empty() ? std::string_view("null") : std::string_view(change.data_json);
}

bool ChangeDataIsJson(const Change& change) {
  if (change.op == ChangeOp::kCreate) return true;
  boost::system::error_code ec;
  json::parse(ChangeDataJson(change), ec);
  return !ec;
}

std::optional<TimeMs> ParseTime(std::string_view text) {
  int y, mo, d, h, mi;
  double sec;
  char rest[16] = {0};
  std::string s(text.substr(0, 64));
  int n = std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%lf%15s", &y, &mo, &d, &h, &mi, &sec, rest);
  if (n < 6) return std::nullopt;
  std::string zone(rest);
  int offset_minutes = 0;
  if (!zone.empty() && zone != "Z") {
    int oh = 0, om = 0;
    char sign = zone[0];
    if ((sign != '+' && sign != '-') || std::sscanf(zone.c_str() + 1, "%d:%d", &oh, &om) < 1) {
      return std::nullopt;
    }
    offset_minutes = (sign == '-' ? -1 : 1) * (oh * 60 + om);
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = 0;
  time_t t = timegm(&tm);
  if (t == static_cast<time_t>(-1)) return std::nullopt;
  return static_cast<TimeMs>(t) * 1000 + static_cast<TimeMs>(sec * 1000.0 + 0.5) -
         static_cast<TimeMs>(offset_minutes) * 60000;
}

}  // namespace relayer::server
