// The Layer error object {id, code, message, url, data} and the HTTP answers built from it.
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "core/status.h"
#include "server/http/types.h"

namespace relayer::server {

boost::json::object ErrorJson(const Status& status, boost::json::value data = nullptr);
Response ErrorResponse(const Status& status, boost::json::value data = nullptr);
Response JsonResponse(http::status code, const boost::json::value& body);
// The same around a body that is JSON text already (rendered straight to text).
Response JsonTextResponse(http::status code, std::string body_json);
Response EmptyResponse(http::status code);

}  // namespace relayer::server
