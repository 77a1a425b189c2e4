#include "core/status.h"

namespace relayer {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kServiceUnavailable:
      return "service_unavailable";
    case ErrorCode::kInvalidAppId:
      return "invalid_app_id";
    case ErrorCode::kInvalidRequestId:
      return "invalid_request_id";
    case ErrorCode::kAuthenticationRequired:
      return "authentication_required";
    case ErrorCode::kRateLimitExceeded:
      return "rate_limit_exceeded";
    case ErrorCode::kRequestTimeout:
      return "request_timeout";
    case ErrorCode::kInvalidOperation:
      return "invalid_operation";
    case ErrorCode::kInvalidRequest:
      return "invalid_request";
    case ErrorCode::kInternalServerError:
      return "internal_server_error";
    case ErrorCode::kAccessDenied:
      return "access_denied";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kObjectDeleted:
      return "object_deleted";
    case ErrorCode::kMissingProperty:
      return "missing_property";
    case ErrorCode::kInvalidProperty:
      return "invalid_property";
    case ErrorCode::kInvalidEndpoint:
      return "invalid_endpoint";
    case ErrorCode::kInvalidHeader:
      return "invalid_header";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kMethodNotAllowed:
      return "method_not_allowed";
    case ErrorCode::kParticipantBlocked:
      return "participant_blocked";
    case ErrorCode::kIdInUse:
      return "id_in_use";
    case ErrorCode::kRequestEntityTooLarge:
      return "request_entity_too_large";
  }
  return "internal_server_error";
}

int ErrorCodeHttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kServiceUnavailable:
      return 503;
    case ErrorCode::kInvalidAppId:
      return 403;
    case ErrorCode::kInvalidRequestId:
      return 400;
    case ErrorCode::kAuthenticationRequired:
      return 401;
    case ErrorCode::kRateLimitExceeded:
      return 429;
    case ErrorCode::kRequestTimeout:
      return 408;
    case ErrorCode::kInvalidOperation:
      return 422;
    case ErrorCode::kInvalidRequest:
      return 400;
    case ErrorCode::kInternalServerError:
      return 500;
    case ErrorCode::kAccessDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kObjectDeleted:
      return 410;
    case ErrorCode::kMissingProperty:
      return 422;
    case ErrorCode::kInvalidProperty:
      return 422;
    case ErrorCode::kInvalidEndpoint:
      return 404;
    case ErrorCode::kInvalidHeader:
      return 406;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kParticipantBlocked:
      return 422;
    case ErrorCode::kIdInUse:
      return 409;
    case ErrorCode::kRequestEntityTooLarge:
      return 413;
  }
  return 500;
}

}  // namespace relayer
