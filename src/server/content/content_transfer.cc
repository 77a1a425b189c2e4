// The signed links of ContentService: uploads (PUT) and downloads (GET, HEAD, Range).
#include <charconv>
#include <optional>

#include "server/api/errors.h"
#include "server/async.h"
#include "server/content/content_service.h"

namespace relayer::server {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr size_t kPieceBytes = 64 * 1024;

std::optional<uint64_t> ParseNumber(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};

// "bytes=a-b", "bytes=a-" or "bytes=-n" against `size`. nullopt: serve the whole content (no
// Range, one we do not understand, or several ranges; RFC 9110 lets a server ignore them).
// `unsatisfiable` is set when the single range lies outside the content.
std::optional<ByteRange> ParseRange(std::string_view header, uint64_t size, bool& unsatisfiable) {
  unsatisfiable = false;
  constexpr std::string_view kUnit = "bytes=";
  if (header.substr(0, kUnit.size()) != kUnit) return std::nullopt;
  auto spec = header.substr(kUnit.size());
  while (!spec.empty() && spec.front() == ' ') spec.remove_prefix(1);
  while (!spec.empty() && spec.back() == ' ') spec.remove_suffix(1);
  if (spec.find(',') != std::string_view::npos) return std::nullopt;
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first_text = spec.substr(0, dash), last_text = spec.substr(dash + 1);
  if (first_text.empty()) {  // suffix: the last n bytes
    auto n = ParseNumber(last_text);
    if (!n) return std::nullopt;
    if (*n == 0 || size == 0) {
      unsatisfiable = true;
      return std::nullopt;
    }
    uint64_t len = std::min(*n, size);
    return ByteRange{size - len, len};
  }
  auto first = ParseNumber(first_text);
  if (!first) return std::nullopt;
  uint64_t last = size == 0 ? 0 : size - 1;
  if (!last_text.empty()) {
    auto l = ParseNumber(last_text);
    if (!l || *l < *first) return std::nullopt;
    last = std::min(*l, last);
  }
  if (*first >= size) {
    unsatisfiable = true;
    return std::nullopt;
  }
  return ByteRange{*first, last - *first + 1};
}

}  // namespace

asio::awaitable<void> ContentService::Upload(StreamExchange& ex, const ContentId& id) {
  auto info_aw = RunBlocking(blocking, [this, id] { return store.GetContent(id); });
  auto info = co_await std::move(info_aw);
  if (!info.ok()) {
    Response res = ErrorResponse(info.status());
    co_await Answer(ex, std::move(res));
    co_return;
  }
  const uint64_t declared = static_cast<uint64_t>(info->size);
  if (info->uploaded_at) {
    Response res = ErrorResponse(
        Status(ErrorCode::kConflict, "This content is uploaded already; content is write-once"));
    co_await Answer(ex, std::move(res));
    co_return;
  }
  // A declared length is checked before a byte is read: an oversized upload costs nothing.
  const auto& h = ex.header();
  if (auto length_header = h[http::field::content_length]; !length_header.empty()) {
    auto length = ParseNumber(length_header);
    Status refused;
    if (length && *length > options.max_content_bytes) {
      refused = Status(ErrorCode::kRequestEntityTooLarge,
                       "Content of " + std::to_string(*length) + " bytes exceeds the limit of " +
                           std::to_string(options.max_content_bytes) + " bytes");
    } else if (!length || *length != declared) {
      refused = InvalidRequest("Content-Length " + std::string(length_header) +
                               " does not match the Upload-Content-Length " +
                               std::to_string(declared) + " declared at POST /content");
    }
    if (!refused.ok()) {
      Response res = ErrorResponse(refused);
      co_await Answer(ex, std::move(res));
      co_return;
    }
  }
  if (!BeginUpload(id)) {
    Response res = ErrorResponse(
        Status(ErrorCode::kConflict, "Another upload of this content is in progress"));
    co_await Answer(ex, std::move(res));
    co_return;
  }
  struct Release {
    ContentService* self;
    ContentId id;
    ~Release() { self->EndUpload(id); }
  } release{this, id};

  auto begin_aw = RunBlocking(blocking, [bytes = bytes, id] {
    auto w = bytes->BeginWrite(id);
    return w.ok() ? Result<std::shared_ptr<ContentWriter>>(std::move(*w))
                  : Result<std::shared_ptr<ContentWriter>>(w.status());
  });
  auto writer = co_await std::move(begin_aw);
  if (!writer.ok()) {
    Response res = ErrorResponse(writer.status());
    co_await Answer(ex, std::move(res));
    co_return;
  }
  std::shared_ptr<ContentWriter> w = std::move(*writer);
  std::vector<char> piece(kPieceBytes);
  uint64_t received = 0;
  Status failed;
  for (bool end = false; !end && failed.ok();) {
    // Fill the whole piece before handing it to the blocking pool: a socket read gives a few KB,
    // and one pool round trip per read would bound an upload to a few MB/s.
    size_t filled = 0;
    while (filled < piece.size()) {
      auto read_aw = ex.ReadBody(piece.data() + filled, piece.size() - filled);
      Result<size_t> n = co_await std::move(read_aw);
      if (!n.ok()) {
        failed = n.status();
        break;
      }
      if (*n == 0) {
        end = true;
        break;
      }
      filled += *n;
    }
    if (!failed.ok() || filled == 0) break;
    received += filled;
    if (received > declared) {
      failed = InvalidRequest("The upload is longer than the Upload-Content-Length " +
                              std::to_string(declared) + " declared at POST /content");
      break;
    }
    auto write_aw = RunBlocking(
        blocking, [w, data = piece.data(), size = filled] { return w->Write(data, size); });
    failed = co_await std::move(write_aw);
  }
  if (failed.ok() && received != declared) {
    failed = InvalidRequest("The upload has " + std::to_string(received) +
                            " bytes, not the Upload-Content-Length " + std::to_string(declared) +
                            " declared at POST /content");
  }
  if (failed.ok()) {
    auto commit_aw = RunBlocking(blocking, [w] { return w->Commit(); });
    failed = co_await std::move(commit_aw);
  }
  if (!failed.ok()) {
    // Dropping an unfinished writer deletes its temp file: disk work, so on the blocking pool.
    auto drop_aw = RunBlocking(blocking, [w = std::move(w)]() mutable {
      w.reset();
      return 0;
    });
    co_await std::move(drop_aw);
    Response res = ErrorResponse(failed);
    co_await Answer(ex, std::move(res));
    co_return;
  }
  w.reset();
  CompleteContentOp op{info->app_id, id, clock()};
  auto done_aw = Write(store, std::move(op));
  auto done = co_await std::move(done_aw);
  if (!done.status.ok()) {
    Response res = ErrorResponse(done.status);
    co_await Answer(ex, std::move(res));
    co_return;
  }
  json::object body{{"id", ContentUrl(id)}, {"size", info->size}};
  Response res = JsonResponse(http::status::ok, body);
  co_await Answer(ex, std::move(res));
}

asio::awaitable<void> ContentService::Download(StreamExchange& ex, const ContentId& id) {
  auto info_aw = RunBlocking(blocking, [this, id] { return store.GetContent(id); });
  auto info = co_await std::move(info_aw);
  if (info.ok() && !info->uploaded_at) info = NotFound("content is not uploaded yet");
  if (!info.ok()) {
    Response res = ErrorResponse(info.status());
    co_await Answer(ex, std::move(res));
    co_return;
  }
  const auto& h = ex.header();
  const uint64_t size = static_cast<uint64_t>(info->size);
  bool unsatisfiable = false;
  auto range = ParseRange(h[http::field::range], size, unsatisfiable);
  if (unsatisfiable) {
    Response res = ErrorResponse(Status(ErrorCode::kInvalidRequest, "Range not satisfiable"));
    res.result(http::status::range_not_satisfiable);
    res.set(http::field::content_range, "bytes */" + std::to_string(size));
    co_await Answer(ex, std::move(res));
    co_return;
  }
  const uint64_t first = range ? range->first : 0;
  const uint64_t length = range ? range->length : size;

  StreamExchange::ResponseHeader header;
  header.result(range ? http::status::partial_content : http::status::ok);
  header.set(http::field::content_type, info->mime_type);
  header.set(http::field::content_length, std::to_string(length));
  header.set(http::field::accept_ranges, "bytes");
  header.set(http::field::cache_control, "private");
  if (range) {
    header.set(http::field::content_range, "bytes " + std::to_string(first) + "-" +
                                               std::to_string(first + length - 1) + "/" +
                                               std::to_string(size));
  }
  AddCors(h, header);
  if (h.method() == http::verb::head) {
    auto sent = ex.RespondStreamed(std::move(header), nullptr);
    co_await std::move(sent);
    co_return;
  }
  auto open_aw = RunBlocking(blocking, [bytes = bytes, id, first] {
    auto r = bytes->OpenRead(id, first);
    return r.ok() ? Result<std::shared_ptr<ContentReader>>(std::move(*r))
                  : Result<std::shared_ptr<ContentReader>>(r.status());
  });
  auto reader = co_await std::move(open_aw);
  if (!reader.ok()) {
    Response res = ErrorResponse(reader.status());
    co_await Answer(ex, std::move(res));
    co_return;
  }
  auto remaining = std::make_shared<uint64_t>(length);
  StreamExchange::Source source = [this, r = *reader, remaining](char* buf, size_t cap) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(cap, *remaining));
    return RunBlocking(blocking, [r, remaining, buf, want]() -> Result<size_t> {
      if (want == 0) return size_t{0};
      auto n = r->Read(buf, want);
      if (!n.ok()) return n.status();
      if (*n == 0) return Internal("content file is shorter than its recorded size");
      *remaining -= *n;
      return *n;
    });
  };
  auto sent = ex.RespondStreamed(std::move(header), std::move(source));
  co_await std::move(sent);
}

}  // namespace relayer::server
