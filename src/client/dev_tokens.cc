#include "relayer/dev_tokens.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <fstream>
#include <sstream>
#include <thread>

#include "client/client_impl.h"
#include "client/codec.h"
#include "client/http.h"

namespace relayer::sdk {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Runs `req` on a thread of its own and answers `done` with the body's identity_token.
void FetchToken(net::HttpRequest req, Callback<std::string> done) {
  std::thread([req = std::move(req), done = std::move(done)]() mutable {
    asio::io_context ioc;
    auto fut = asio::co_spawn(ioc, net::HttpFetch(std::move(req), std::chrono::seconds(15)),
                              asio::use_future);
    ioc.run();
    net::HttpResponse res = fut.get();
    Status s = ClientImpl::StatusOf(res);
    boost::system::error_code ec;
    auto v = json::parse(res.body, ec);
    std::string token = !ec && v.is_object() ? JStr(v.as_object(), "identity_token") : "";
    if (s.ok() && token.empty()) s = Status(StatusCode::kUnauthenticated, "no identity_token");
    if (!s.ok()) {
      done(s);
      return;
    }
    done(std::move(token));
  }).detach();
}

}  // namespace

IdentityTokenProvider DevIdentityTokens(std::string server_url) {
  return
      [server_url](const std::string& nonce, const std::string& user, Callback<std::string> done) {
        net::HttpRequest req;
        req.method = "POST";
        req.url = server_url + "/dev/identity_tokens";
        req.headers = {{"Accept", "application/vnd.layer+json; version=2.0"},
                       {"Content-Type", "application/json"}};
        req.body = json::serialize(json::object{{"user_id", user}, {"nonce", nonce}});
        FetchToken(std::move(req), std::move(done));
      };
}

IdentityTokenProvider BackendIdentityTokens(std::string url) {
  return [url](const std::string& nonce, const std::string& user, Callback<std::string> done) {
    net::HttpRequest req;
    req.url = url + (url.find('?') == std::string::npos ? "?" : "&") +
              "user=" + Codec::PercentEncode(user) + "&nonce=" + Codec::PercentEncode(nonce);
    FetchToken(std::move(req), std::move(done));
  };
}

std::string ReadDevAppId(const std::string& data_dir) {
  std::ifstream in(data_dir + "/dev/app.json");
  if (!in) return "";
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto v = json::parse(text.str(), ec);
  return !ec && v.is_object() ? JStr(v.as_object(), "app_id") : "";
}

}  // namespace relayer::sdk
