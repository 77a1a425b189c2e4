// Rich content through the Client API: POST /content and GET /content/UUID (the refresh_url).
// The bytes themselves travel over signed links served by ContentService's stream route.
#include "server/api/client_api_impl.h"
#include "server/content/content_service.h"

namespace relayer::server {

using Awaitable = ClientApi::Impl::Awaitable;

const ContentLinks* ClientApi::Impl::links() const { return options.content; }

Awaitable ClientApi::Impl::PostContent(Call& call) {
  if (!options.content) {
    co_return ErrorResponse(Status(ErrorCode::kInvalidEndpoint, "Rich content is not served"));
  }
  auto created = options.content->Create(call.caller, call.req, call.base_url);
  co_return co_await std::move(created);
}

Awaitable ClientApi::Impl::GetContent(Call& call) {
  if (!options.content) co_return ErrorResponse(NotFound("content not found"));
  auto described = options.content->Describe(call.caller, call.params[0], call.base_url);
  co_return co_await std::move(described);
}

}  // namespace relayer::server
