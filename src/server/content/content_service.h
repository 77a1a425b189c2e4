// Rich content (message parts over 2 KB), as Layer served it:
// - POST /content (session; Upload-Content-Type, Upload-Content-Length, Upload-Origin headers)
//   declares an upload and answers 201 with a signed, expiring upload_url;
// - PUT upload_url streams the bytes into the ContentStore (never whole in memory); they become
//   visible only once complete and of exactly the declared length (content is write-once);
// - download links (GET/HEAD, Range requests) are signed and expiring; they are rendered into
//   message parts for the conversation's participants (ContentLinks) and renewed by
//   GET /content/UUID (the refresh_url), which only the uploader and participants of a
//   conversation holding the content may call.
// One ContentService serves every connection; it is safe for concurrent use.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/representation.h"
#include "server/api/client_api.h"
#include "server/content/content_store.h"
#include "server/content/link_signer.h"
#include "server/http/stream_exchange.h"
#include "server/http/types.h"
#include "store/store.h"

namespace relayer::server {

struct ContentOptions {
  uint64_t max_content_bytes = 2ULL << 30;
  int64_t link_ttl_ms = 60LL * 60 * 1000;
  std::vector<std::string> cors_origins;  // empty: any origin
  std::string public_url;                 // empty: http://<Host header>
};

class ContentService final : public ContentLinks {
 public:
  ContentService(Store& store, boost::asio::thread_pool& blocking,
                 std::unique_ptr<ContentStore> bytes, LinkSigner signer, ContentOptions options,
                 Clock clock = SystemNow);

  // POST /content for `caller`; `base_url` is the server's public origin.
  boost::asio::awaitable<Response> Create(const Caller& caller, const Request& req,
                                          const std::string& base_url);
  // GET /content/UUID: the content object with a fresh download_url, or Layer's not_found for
  // anyone but the uploader and participants of a conversation holding it.
  boost::asio::awaitable<Response> Describe(const Caller& caller, const std::string& id,
                                            const std::string& base_url);

  // The upload and download links, for HttpServer::SetStreamRoute.
  StreamRoute Route();

  Link DownloadLink(const ContentId& id, const std::string& base_url) const override;

  // "/content/UUID/data": the path of upload and download links.
  static std::string DataPath(const ContentId& id);

 private:
  boost::asio::awaitable<void> Serve(StreamExchange& exchange);
  boost::asio::awaitable<void> Upload(StreamExchange& ex, const ContentId& id);
  boost::asio::awaitable<void> Download(StreamExchange& ex, const ContentId& id);
  // Answers with CORS headers for the request's Origin.
  boost::asio::awaitable<void> Answer(StreamExchange& ex, Response res);
  void AddCors(const StreamExchange::Header& req, http::fields& res) const;
  int64_t NowSeconds() const { return clock() / 1000; }
  int64_t ExpiresSeconds() const { return (clock() + options.link_ttl_ms) / 1000; }
  // Claims the single upload slot of `id`; false when another upload of it is in progress.
  bool BeginUpload(const ContentId& id);
  void EndUpload(const ContentId& id);

  Store& store;
  boost::asio::thread_pool& blocking;
  std::shared_ptr<ContentStore> bytes;
  LinkSigner signer;
  ContentOptions options;
  Clock clock;
  std::mutex uploads_mu;
  std::set<ContentId> uploads_in_progress;
};

}  // namespace relayer::server
