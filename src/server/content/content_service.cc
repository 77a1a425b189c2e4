#include "server/content/content_service.h"

#include <boost/url/parse.hpp>
#include <charconv>

#include "core/validation.h"
#include "server/api/errors.h"
#include "server/async.h"
#include "server/auth/crypto.h"

namespace relayer::server {

namespace asio = boost::asio;
namespace json = boost::json;

ContentService::ContentService(Store& s, asio::thread_pool& b, std::unique_ptr<ContentStore> bs,
                               LinkSigner sg, ContentOptions o, Clock c)
    : store(s),
      blocking(b),
      bytes(std::move(bs)),
      signer(std::move(sg)),
      options(std::move(o)),
      clock(std::move(c)) {}

std::string ContentService::DataPath(const ContentId& id) {
  return "/content/" + id.str() + "/data";
}

ContentLinks::Link ContentService::DownloadLink(const ContentId& id,
                                                const std::string& base_url) const {
  const int64_t expires = ExpiresSeconds();
  return Link{base_url + DataPath(id) + "?" + signer.Query("GET", id, expires), expires * 1000};
}

namespace {

// A non-negative decimal without sign or spaces; nullopt otherwise.
std::optional<uint64_t> ParseLength(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

asio::awaitable<Response> ContentService::Create(const Caller& caller, const Request& req,
                                                 const std::string& base_url) {
  std::string mime(req["Upload-Content-Type"]);
  if (mime.empty()) {
    co_return ErrorResponse(
        Status(ErrorCode::kInvalidHeader, "Upload-Content-Type is required (the MIME type)"));
  }
  if (!IsValidMimeType(mime)) {
    co_return ErrorResponse(
        Status(ErrorCode::kInvalidHeader, "Upload-Content-Type '" + mime + "' is not a MIME type"));
  }
  auto length = ParseLength(req["Upload-Content-Length"]);
  if (!length) {
    co_return ErrorResponse(
        Status(ErrorCode::kInvalidHeader, "Upload-Content-Length is required (the size in bytes)"));
  }
  if (*length > options.max_content_bytes) {
    co_return ErrorResponse(Status(ErrorCode::kRequestEntityTooLarge,
                                   "Content of " + std::to_string(*length) +
                                       " bytes exceeds the limit of " +
                                       std::to_string(options.max_content_bytes) + " bytes"));
  }
  CreateContentOp op;
  op.app_id = caller.session.app_id;
  op.content.id = ContentId(RandomUuid());
  op.content.app_id = op.app_id;
  op.content.uploader = caller.session.user_id;
  op.content.mime_type = mime;
  op.content.size = static_cast<int64_t>(*length);
  op.content.created_at = clock();
  const ContentId id = op.content.id;
  auto written_aw = Write(store, std::move(op));
  auto written = co_await std::move(written_aw);
  if (!written.status.ok()) co_return ErrorResponse(written.status);

  const int64_t expires = ExpiresSeconds();
  json::object body;
  body["id"] = ContentUrl(id);
  body["upload_url"] = base_url + DataPath(id) + "?" + signer.Query("PUT", id, expires);
  body["upload_url_expiration"] = FormatTime(expires * 1000);
  body["download_url"] = nullptr;
  body["expiration"] = nullptr;
  body["refresh_url"] = base_url + "/content/" + id.str();
  body["size"] = static_cast<int64_t>(*length);
  auto res = JsonResponse(http::status::created, body);
  res.set(http::field::location, base_url + "/content/" + id.str());
  co_return res;
}

asio::awaitable<Response> ContentService::Describe(const Caller& caller, const std::string& raw_id,
                                                   const std::string& base_url) {
  const Status not_found = NotFound("content not found");
  auto id = ParseContentId(raw_id);
  if (!id) co_return ErrorResponse(not_found);
  auto lookup_aw = RunBlocking(
      blocking, [this, app = caller.session.app_id, user = caller.session.user_id, id = *id] {
        auto may = store.MayReadContent(app, user, id);
        if (!may.ok()) return Result<ContentInfo>(may.status());
        if (!*may) return Result<ContentInfo>(NotFound("content not found"));
        return store.GetContent(id);
      });
  auto info = co_await std::move(lookup_aw);
  if (!info.ok()) co_return ErrorResponse(info.status());
  ContentRef ref{info->id, info->size};
  co_return JsonResponse(http::status::ok, ContentJson(ref, base_url, this));
}

StreamRoute ContentService::Route() {
  StreamRoute route;
  route.wants = [](const StreamExchange::Header& h) {
    if (h.method() != http::verb::put && h.method() != http::verb::get &&
        h.method() != http::verb::head) {
      return false;
    }
    auto target = boost::urls::parse_origin_form(h.target());
    if (!target) return false;
    auto segments = target->encoded_segments();
    if (segments.size() != 3) return false;
    auto it = segments.begin();
    if (*it++ != "content") return false;
    ++it;
    return *it == "data";
  };
  route.serve = [this](StreamExchange& ex) { return Serve(ex); };
  return route;
}

asio::awaitable<void> ContentService::Serve(StreamExchange& ex) {
  const auto& h = ex.header();
  auto target = boost::urls::parse_origin_form(h.target());
  std::string segment, expires, signature;
  if (target) {
    auto segments = target->encoded_segments();
    segment = std::string(*std::next(segments.begin()));
    for (auto param : target->params()) {
      if (param.key == "expires") expires = param.value;
      if (param.key == "signature") signature = param.value;
    }
  }
  auto id = ParseContentId(segment);
  if (!id) {
    Response res = ErrorResponse(NotFound("content not found"));
    co_await Answer(ex, std::move(res));
    co_return;
  }
  const bool upload = h.method() == http::verb::put;
  auto check = signer.Verify(upload ? "PUT" : "GET", *id, expires, signature, NowSeconds());
  if (check != LinkSigner::Check::kOk) {
    std::string why = check == LinkSigner::Check::kExpired
                          ? "This content link has expired; ask the refresh_url for a new one"
                          : "This content link's signature is not valid";
    Response res = ErrorResponse(Status(ErrorCode::kAccessDenied, why));
    co_await Answer(ex, std::move(res));
    co_return;
  }
  if (upload) {
    co_await Upload(ex, *id);
  } else {
    co_await Download(ex, *id);
  }
}

asio::awaitable<void> ContentService::Answer(StreamExchange& ex, Response res) {
  AddCors(ex.header(), res.base());
  auto written = ex.Respond(std::move(res));
  co_await std::move(written);
}

void ContentService::AddCors(const StreamExchange::Header& req, http::fields& res) const {
  auto origin = req[http::field::origin];
  if (origin.empty()) return;
  bool allowed = options.cors_origins.empty();
  for (const auto& o : options.cors_origins) allowed = allowed || o == "*" || o == origin;
  if (!allowed) return;
  res.set(http::field::access_control_allow_origin, origin);
  res.set(http::field::access_control_allow_credentials, "true");
  res.set(http::field::vary, "Origin");
  res.set(http::field::access_control_expose_headers,
          "Content-Length, Content-Range, Accept-Ranges, Content-Type");
}

bool ContentService::BeginUpload(const ContentId& id) {
  std::lock_guard lock(uploads_mu);
  return uploads_in_progress.insert(id).second;
}

void ContentService::EndUpload(const ContentId& id) {
  std::lock_guard lock(uploads_mu);
  uploads_in_progress.erase(id);
}

}  // namespace relayer::server
