#include "store/sqlite/codec.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace relayer::sqlite {
namespace json = boost::json;
namespace {

Result<json::value> Parse(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Internal("stored " + std::string(what) + " is not valid JSON");
  return v;
}

std::string StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

std::string EncodeParts(const std::vector<MessagePart>& parts) {
  json::array out;
  out.reserve(parts.size());
  for (const MessagePart& p : parts) {
    json::object o;
    o["mime_type"] = p.mime_type;
    if (!p.body.empty()) o["body"] = p.body;
    if (!p.encoding.empty()) o["encoding"] = p.encoding;
    if (p.content)
      o["content"] = json::object{{"id", p.content->id.str()}, {"size", p.content->size}};
    out.push_back(std::move(o));
  }
  return json::serialize(out);
}

Result<std::vector<MessagePart>> DecodeParts(std::string_view text) {
  auto v = Parse(text, "parts");
  if (!v.ok()) return v.status();
  if (!v->is_array()) return Internal("stored parts are not an array");
  std::vector<MessagePart> parts;
  for (const json::value& e : v->get_array()) {
    if (!e.is_object()) return Internal("stored part is not an object");
    const json::object& o = e.get_object();
    MessagePart p;
    p.mime_type = StringField(o, "mime_type");
    p.body = StringField(o, "body");
    p.encoding = StringField(o, "encoding");
    if (const json::value* c = o.if_contains("content"); c && c->is_object()) {
      ContentRef ref;
      ref.id = ContentId(StringField(c->get_object(), "id"));
      if (const json::value* s = c->get_object().if_contains("size"); s && s->is_int64()) {
        ref.size = s->get_int64();
      }
      p.content = std::move(ref);
    }
    parts.push_back(std::move(p));
  }
  return parts;
}

std::string EncodeRecipientStatus(const std::map<UserId, ReceiptState>& status) {
  json::object o;
  o.reserve(status.size());
  for (const auto& [user, state] : status) o[user.str()] = static_cast<int>(state);
  return json::serialize(o);
}

Result<std::map<UserId, ReceiptState>> DecodeRecipientStatus(std::string_view text) {
  auto v = Parse(text, "recipient_status");
  if (!v.ok()) return v.status();
  if (!v->is_object()) return Internal("stored recipient_status is not an object");
  std::map<UserId, ReceiptState> out;
  for (const auto& kv : v->get_object()) {
    if (!kv.value().is_int64()) return Internal("stored receipt state is not a number");
    int64_t s = kv.value().get_int64();
    if (s < 0 || s > 2) return Internal("stored receipt state out of range");
    out.emplace(UserId(std::string(kv.key())), static_cast<ReceiptState>(s));
  }
  return out;
}

std::string EncodeUsers(const std::vector<UserId>& users) {
  json::array a;
  a.reserve(users.size());
  for (const UserId& u : users) a.emplace_back(u.str());
  return json::serialize(a);
}

Result<std::vector<UserId>> DecodeUsers(std::string_view text) {
  auto v = Parse(text, "user list");
  if (!v.ok()) return v.status();
  if (!v->is_array()) return Internal("stored user list is not an array");
  std::vector<UserId> out;
  for (const json::value& e : v->get_array()) {
    if (!e.is_string()) return Internal("stored user id is not a string");
    out.emplace_back(std::string(e.get_string()));
  }
  return out;
}

std::string EncodeObject(const json::object& o) { return json::serialize(o); }

Result<json::object> DecodeObject(std::string_view text) {
  auto v = Parse(text, "object");
  if (!v.ok()) return v.status();
  if (!v->is_object()) return Internal("stored JSON is not an object");
  return std::move(v->get_object());
}

}  // namespace relayer::sqlite
