// POST /nonces, POST /sessions, DELETE /sessions/TOKEN, GET /identities/USER, HEAD /ping, GET /,
// and the --dev identity token signer.
#include <boost/json/serialize.hpp>

#include "core/representation.h"
#include "core/validation.h"
#include "server/api/client_api_impl.h"
#include "server/api/json_input.h"
#include "server/auth/crypto.h"
#include "server/auth/jwt.h"

namespace relayer::server {

namespace json = boost::json;
namespace asio = boost::asio;
using Awaitable = ClientApi::Impl::Awaitable;

Awaitable ClientApi::Impl::PostNonces(Call&) {
  auto nonce_aw = NewNonce();
  auto nonce = co_await std::move(nonce_aw);
  if (!nonce.ok()) co_return ErrorResponse(nonce.status());
  json::object body;
  body["nonce"] = *nonce;
  co_return JsonResponse(http::status::created, body);
}

Awaitable ClientApi::Impl::PostSessions(Call& call) {
  auto body = ParseJsonObject(call.req.body());
  if (!body.ok()) co_return ErrorResponse(body.status());
  if (auto s = CheckKnownFields(*body, {"identity_token", "app_id"}); !s.ok()) {
    co_return ErrorResponse(s);
  }
  auto token = OptString(*body, "identity_token");
  if (!token.ok()) co_return ErrorResponse(token.status());
  if (!*token || (*token)->empty()) {
    co_return ErrorResponse(MissingProperty("identity_token", "identity_token is required"));
  }
  auto app_text = OptString(*body, "app_id");
  if (!app_text.ok()) co_return ErrorResponse(app_text.status());
  if (!*app_text) co_return ErrorResponse(MissingProperty("app_id", "app_id is required"));
  auto app_id = ParseAppId(**app_text);
  const AppConfig* app = app_id ? apps.Find(*app_id) : nullptr;
  if (!app) {
    co_return ErrorResponse(
        Status(ErrorCode::kInvalidAppId, "No app with id '" + **app_text + "' on this server"));
  }
  auto claims = VerifyIdentityToken(**token, *app->keys);
  if (!claims.ok()) co_return ErrorResponse(claims.status());
  const TimeMs now = clock();
  if (auto s = CheckIdentityClaims(*claims, app->provider_id, now / 1000,
                                   options.limits.identity_token_max_age_ms / 1000);
      !s.ok()) {
    co_return ErrorResponse(s);
  }
  if (auto s = ValidateUserId(claims->prn, options.limits); !s.ok()) {
    co_return ErrorResponse(InvalidProperty("identity_token", "prn: " + s.message()));
  }
  if (claims->display_name.size() > options.limits.max_display_name ||
      claims->avatar_url.size() > options.limits.max_avatar_url) {
    co_return ErrorResponse(InvalidProperty(
        "identity_token",
        "display_name is limited to " + std::to_string(options.limits.max_display_name) +
            " characters and avatar_url to " + std::to_string(options.limits.max_avatar_url)));
  }
  StartSessionOp op;
  op.app_id = app->id;
  op.nonce = Nonce(claims->nce);
  op.identity.user_id = UserId(claims->prn);
  op.identity.display_name = claims->display_name;
  op.identity.avatar_url = claims->avatar_url;
  op.identity.first_name = claims->first_name;
  op.identity.last_name = claims->last_name;
  op.identity.email_address = claims->email_address;
  op.identity.phone_number = claims->phone_number;
  op.identity.updated_at = now;
  op.token = SessionToken(RandomToken(32));
  op.now = now;
  op.expires_at = now + options.limits.session_ttl_ms;
  std::string session_token = op.token.str();
  auto written_aw = Write(store, std::move(op));
  auto written = co_await std::move(written_aw);
  if (!written.status.ok()) co_return ErrorResponse(written.status);
  json::object out;
  out["session_token"] = session_token;
  co_return JsonResponse(http::status::created, out);
}

Awaitable ClientApi::Impl::DeleteSession(Call& call) {
  sessions.Erase(call.params[0]);
  auto answer_aw = WriteNoContent(DeleteSessionOp{SessionToken(call.params[0])});
  Response answer = co_await std::move(answer_aw);
  sessions.Erase(call.params[0]);  // a request racing the delete may have cached it again
  co_return answer;
}

Awaitable ClientApi::Impl::GetIdentity(Call& call) {
  auto user = ParseIdentityRef(call.params[0]);
  if (!user) co_return ErrorResponse(NotFound("No such identity"));
  auto identity_aw = RunBlocking(
      blocking, [this, app = call.app(), user = *user] { return store.GetIdentity(app, user); });
  auto identity = co_await std::move(identity_aw);
  if (!identity.ok()) co_return ErrorResponse(identity.status());
  co_return JsonResponse(http::status::ok, IdentityJson(*identity, call.base_url));
}

Awaitable ClientApi::Impl::Ping(Call&) { co_return EmptyResponse(http::status::no_content); }

// GET /?action=validateConnectionForWebsocket: the session is valid (the route authenticates).
Awaitable ClientApi::Impl::Root(Call&) { co_return EmptyResponse(http::status::ok); }

// POST /dev/identity_tokens {user_id, nonce, display_name?, app_id?}: only with --dev.
Awaitable ClientApi::Impl::DevIdentityToken(Call& call) {
  auto body = ParseJsonObject(call.req.body());
  if (!body.ok()) co_return ErrorResponse(body.status());
  if (auto s = CheckKnownFields(*body, {"user_id", "nonce", "display_name", "app_id"}); !s.ok()) {
    co_return ErrorResponse(s);
  }
  auto user = OptString(*body, "user_id");
  auto nonce = OptString(*body, "nonce");
  auto name = OptString(*body, "display_name");
  auto app_text = OptString(*body, "app_id");
  for (const auto* r : {&user, &nonce, &name, &app_text}) {
    if (!r->ok()) co_return ErrorResponse(r->status());
  }
  if (!*user) co_return ErrorResponse(MissingProperty("user_id", "user_id is required"));
  if (!*nonce) co_return ErrorResponse(MissingProperty("nonce", "nonce is required"));
  const AppConfig* app = nullptr;
  if (*app_text) {
    auto id = ParseAppId(**app_text);
    app = id ? apps.Find(*id) : nullptr;
  } else {
    for (const auto& [id, a] : apps.all()) {
      if (a.dev_private_pem) app = &a;
    }
  }
  if (!app || !app->dev_private_pem) {
    co_return ErrorResponse(Status(ErrorCode::kInvalidAppId, "No development app with a dev key"));
  }
  IdentityClaims claims;
  claims.iss = app->provider_id;
  claims.prn = **user;
  claims.nce = **nonce;
  claims.display_name = name->value_or("");
  claims.iat = clock() / 1000;
  claims.exp = claims.iat + 600;
  auto token = SignIdentityToken(*app->dev_private_pem, app->dev_kid, claims);
  if (!token.ok()) co_return ErrorResponse(token.status());
  json::object out;
  out["identity_token"] = *token;
  co_return JsonResponse(http::status::created, out);
}

}  // namespace relayer::server
