#include "store/sqlite/codec.h"

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/json_text.h"

namespace relayer::sqlite {
namespace json = boost::json;
namespace {

// Columns decoded into model fields are parsed into a buffer on the stack (a page of history
// decodes 200 of them: one allocation per JSON node was a fifth of its time), so the parsed
// value must not outlive `scratch`.
class Scratch {
 public:
  json::storage_ptr storage() { return json::storage_ptr(&resource_); }

 private:
  unsigned char buffer_[4096];
  json::monotonic_resource resource_{buffer_, sizeof buffer_};
};

Result<json::value> Parse(std::string_view text, std::string_view what,
                          json::storage_ptr storage = {}) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, std::move(storage));
  if (ec) return Internal("stored " + std::string(what) + " is not valid JSON");
  return v;
}

std::string StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

std::string EncodeParts(const std::vector<MessagePart>& parts) {
  std::string out = "[";
  for (const MessagePart& p : parts) {
    if (out.size() > 1) out += ',';
    out += R"({"mime_type":)";
    AppendJsonString(out, p.mime_type);
    if (!p.body.empty()) {
      out += R"(,"body":)";
      AppendJsonString(out, p.body);
    }
    if (!p.encoding.empty()) {
      out += R"(,"encoding":)";
      AppendJsonString(out, p.encoding);
    }
    if (p.content) {
      out += R"(,"content":{"id":)";
      AppendJsonString(out, p.content->id.str());
      out += R"(,"size":)";
      AppendJsonInt(out, p.content->size);
      out += '}';
    }
    out += '}';
  }
  out += ']';
  return out;
}

Result<std::vector<MessagePart>> DecodeParts(std::string_view text) {
  Scratch scratch;
  auto v = Parse(text, "parts", scratch.storage());
  if (!v.ok()) return v.status();
  if (!v->is_array()) return Internal("stored parts are not an array");
  std::vector<MessagePart> parts;
  parts.reserve(v->get_array().size());
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
  std::string out = "{";
  for (const auto& [user, state] : status) {
    if (out.size() > 1) out += ',';
    AppendJsonString(out, user.str());
    out += ':';
    AppendJsonInt(out, static_cast<int>(state));
  }
  out += '}';
  return out;
}

Result<std::map<UserId, ReceiptState>> DecodeRecipientStatus(std::string_view text) {
  Scratch scratch;
  auto v = Parse(text, "recipient_status", scratch.storage());
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
  std::string out = "[";
  for (const UserId& u : users) {
    if (out.size() > 1) out += ',';
    AppendJsonString(out, u.str());
  }
  out += ']';
  return out;
}

Result<std::vector<UserId>> DecodeUsers(std::string_view text) {
  Scratch scratch;
  auto v = Parse(text, "user list", scratch.storage());
  if (!v.ok()) return v.status();
  if (!v->is_array()) return Internal("stored user list is not an array");
  std::vector<UserId> out;
  out.reserve(v->get_array().size());
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
