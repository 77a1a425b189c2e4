// The Layer error object {id, code, message, url, data} and the HTTP answers built from it.
#pragma once

#include <boost/json/value.hpp>

#include "core/status.h"
#include "server/http/types.h"

namespace relayer::server {

boost::json::object ErrorJson(const Status& status, boost::json::value data = nullptr);
Response ErrorResponse(const Status& status, boost::json::value data = nullptr);
Response JsonResponse(http::status code, const boost::json::value& body);
Response EmptyResponse(http::status code);

}  // namespace relayer::server
