#include "layer_packets.h"

#include <boost/json/serialize.hpp>

namespace relayer::bench {

namespace json = boost::json;

std::string RequestPacket(std::string_view method, std::string_view request_id,
                          std::string_view object_id, json::object data) {
  json::object body;
  body["method"] = method;
  body["request_id"] = request_id;
  if (!object_id.empty()) body["object_id"] = object_id;
  body["data"] = std::move(data);
  json::object packet;
  packet["type"] = "request";
  packet["body"] = std::move(body);
  return json::serialize(packet);
}

std::string MessageCreatePacket(std::string_view request_id, std::string_view conversation_id,
                                std::string_view text) {
  json::object part{{"mime_type", "text/plain"}, {"body", text}};
  json::object data;
  data["parts"] = json::array{part};
  return RequestPacket("Message.create", request_id, conversation_id, std::move(data));
}

const json::value* Path(const json::value& v, std::initializer_list<const char*> keys) {
  const json::value* cur = &v;
  for (const char* k : keys) {
    if (!cur->is_object()) return nullptr;
    cur = cur->as_object().if_contains(k);
    if (!cur) return nullptr;
  }
  return cur;
}

bool Is(const json::value* v, std::string_view s) {
  return v && v->is_string() && v->as_string() == s;
}

std::string_view Str(const json::value* v) {
  if (!v || !v->is_string()) return {};
  return {v->as_string().data(), v->as_string().size()};
}

int64_t Int(const json::value* v) {
  if (v && v->is_int64()) return v->as_int64();
  if (v && v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return -1;
}

int64_t SeqOf(std::string_view body) {
  if (body.rfind("seq=", 0) != 0) return -1;
  int64_t v = 0;
  size_t i = 4;
  for (; i < body.size() && body[i] >= '0' && body[i] <= '9'; ++i) v = v * 10 + (body[i] - '0');
  return i == 4 ? -1 : v;
}

}  // namespace relayer::bench
