#include "server/api/errors.h"

#include <boost/json/serialize.hpp>

namespace relayer::server {

namespace json = boost::json;

json::object ErrorJson(const Status& status, json::value data) {
  json::object o;
  o["id"] = ErrorCodeName(status.code());
  o["code"] = static_cast<int>(status.code());
  o["message"] = status.message();
  o["url"] = std::string("https://docs.relayer.dev/errors#") + ErrorCodeName(status.code());
  if (!status.property().empty()) o["property"] = status.property();
  o["data"] = std::move(data);
  return o;
}

Response JsonResponse(http::status code, const json::value& body) {
  return JsonTextResponse(code, json::serialize(body));
}

Response JsonTextResponse(http::status code, std::string body_json) {
  Response res{code, 11};
  // The Web SDK parses a body as JSON only when the type starts with application/json.
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.body() = std::move(body_json);
  return res;
}

Response ErrorResponse(const Status& status, json::value data) {
  return JsonResponse(static_cast<http::status>(ErrorCodeHttpStatus(status.code())),
                      ErrorJson(status, std::move(data)));
}

Response EmptyResponse(http::status code) {
  Response res{code, 11};
  return res;
}

}  // namespace relayer::server
