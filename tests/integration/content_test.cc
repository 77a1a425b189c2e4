// Rich content end to end over real HTTP: POST /content, the signed upload (PUT) and download
// (GET/HEAD, Range) links, content parts on messages, who may get a download link, and every
// refusal (bad or expired signatures, limits, length mismatches, unknown content).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "integration/platform_fixture.h"

namespace relayer::it {
namespace {

std::string RandomBytes(size_t n, unsigned seed = 7) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

// "http://127.0.0.1:PORT/content/..." -> "/content/...".
std::string TargetOf(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  auto slash = url.find('/', scheme + 3);
  return slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
}

class Content : public PlatformTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    alice_ = Login("alice");
    bob_ = Login("bob");
    conv_ = CreateConversation(alice_, {"bob"});
  }

  HttpResult Declare(const std::string& token, size_t size, const std::string& mime = "image/png") {
    return Call("POST", "/content", token, std::nullopt,
                {{"Upload-Content-Type", mime},
                 {"Upload-Content-Length", std::to_string(size)},
                 {"Upload-Origin", "http://app.example"}});
  }
  HttpResult Put(const std::string& upload_url, const std::string& bytes) {
    return client().Send("PUT", TargetOf(upload_url), {{"Content-Type", "image/png"}}, bytes);
  }
  HttpResult Fetch(const std::string& url, Headers headers = {}, std::string_view method = "GET") {
    return client().Send(method, TargetOf(url), headers);
  }
  // Declares and uploads `bytes` as `token`; returns the POST /content answer.
  HttpResult Upload(const std::string& token, const std::string& bytes) {
    auto declared = Declare(token, bytes.size());
    EXPECT_EQ(declared.status, 201) << Describe(declared);
    auto put = Put(declared.Str("upload_url"), bytes);
    EXPECT_EQ(put.status, 200) << Describe(put);
    return declared;
  }
  HttpResult SendContent(const std::string& token, const std::string& content_id, int64_t size) {
    json::object part{{"mime_type", "image/png"},
                      {"content", json::object{{"id", content_id}, {"size", size}}}};
    json::object body{{"parts", json::array{part}}};
    return Post(token, "/conversations/" + conv_ + "/messages", json::serialize(body));
  }
  static const json::object& ContentOf(const json::object& message, size_t part = 0) {
    return message.at("parts").as_array().at(part).as_object().at("content").as_object();
  }

  std::string alice_, bob_, conv_;
};

TEST_F(Content, AnotherParticipantDownloadsTheUploadedBytes) {
  const std::string bytes = RandomBytes(100 * 1024);
  auto declared = Declare(alice_, bytes.size());
  ASSERT_EQ(declared.status, 201) << Describe(declared);
  const std::string id = declared.Str("id");
  ASSERT_EQ(id.rfind("layer:///content/", 0), 0u) << id;
  EXPECT_EQ(declared.Header("Location"), declared.Str("refresh_url"));
  EXPECT_TRUE(declared.At("download_url").is_null());
  EXPECT_TRUE(declared.At("expiration").is_null());
  EXPECT_EQ(declared.At("size").as_int64(), 100 * 1024);
  auto put = Put(declared.Str("upload_url"), bytes);
  ASSERT_EQ(put.status, 200) << Describe(put);

  auto sent = SendContent(alice_, id, static_cast<int64_t>(bytes.size()));
  ASSERT_EQ(sent.status, 201) << Describe(sent);
  const std::string msg = Uuid(sent.Str("id"));
  auto got = GetMessage(bob_, msg);
  const auto& content = ContentOf(got);
  EXPECT_EQ(content.at("id").as_string(), id);
  EXPECT_EQ(content.at("size").as_int64(), 100 * 1024);
  ASSERT_TRUE(content.at("download_url").is_string()) << json::serialize(content);
  ASSERT_TRUE(content.at("expiration").is_string()) << json::serialize(content);
  EXPECT_EQ(content.at("refresh_url").as_string(), declared.Str("refresh_url"));
  EXPECT_FALSE(got.at("parts").as_array()[0].as_object().contains("body"));

  // The link works without a session, from another origin (the SDK's plain XHR).
  auto down = Fetch(std::string(content.at("download_url").as_string()),
                    {{"Origin", "http://app.example"}});
  ASSERT_EQ(down.status, 200) << down.status;
  EXPECT_EQ(down.body.size(), bytes.size());
  EXPECT_TRUE(down.body == bytes) << "downloaded bytes differ from the upload";
  EXPECT_EQ(down.Header("Content-Type"), "image/png");
  EXPECT_EQ(down.Header("Content-Length"), std::to_string(bytes.size()));
  EXPECT_EQ(down.Header("Access-Control-Allow-Origin"), "http://app.example");
  EXPECT_EQ(down.Header("Accept-Ranges"), "bytes");

  // The refresh_url answers a fresh link to the same bytes.
  auto refreshed = Get(bob_, TargetOf(declared.Str("refresh_url")));
  ASSERT_EQ(refreshed.status, 200) << Describe(refreshed);
  EXPECT_EQ(refreshed.Str("id"), id);
  auto again = Fetch(refreshed.Str("download_url"));
  EXPECT_EQ(again.status, 200);
  EXPECT_TRUE(again.body == bytes);
  // The sender's own answer carries a download link too.
  EXPECT_TRUE(ContentOf(sent.json.as_object()).at("download_url").is_string());
}

TEST_F(Content, ThePlatformApiShowsContentPartsWithWorkingLinks) {
  const std::string bytes = RandomBytes(5000, 3);
  auto declared = Upload(alice_, bytes);
  auto sent = SendContent(alice_, declared.Str("id"), 5000);
  ASSERT_EQ(sent.status, 201) << Describe(sent);
  auto got = P("GET", "/messages/" + Uuid(sent.Str("id")));
  ASSERT_EQ(got.status, 200) << Describe(got);
  const auto& content = ContentOf(got.json.as_object());
  // refresh_url is the Client API's, not a path under /apps/.
  EXPECT_EQ(content.at("refresh_url").as_string(), declared.Str("refresh_url"));
  ASSERT_TRUE(content.at("download_url").is_string()) << json::serialize(content);
  auto down = Fetch(std::string(content.at("download_url").as_string()));
  EXPECT_EQ(down.status, 200);
  EXPECT_TRUE(down.body == bytes);
}

TEST_F(Content, RangeRequestsServeTheAskedBytes) {
  const std::string bytes = RandomBytes(1000, 3);
  auto declared = Upload(alice_, bytes);
  ASSERT_EQ(SendContent(alice_, declared.Str("id"), 1000).status, 201);
  auto described = Get(bob_, TargetOf(declared.Str("refresh_url")));
  const std::string url = described.Str("download_url");

  auto first = Fetch(url, {{"Range", "bytes=0-9"}});
  EXPECT_EQ(first.status, 206);
  EXPECT_EQ(first.Header("Content-Range"), "bytes 0-9/1000");
  EXPECT_EQ(first.body, bytes.substr(0, 10));

  auto middle = Fetch(url, {{"Range", "bytes=100-199"}});
  EXPECT_EQ(middle.status, 206);
  EXPECT_EQ(middle.Header("Content-Range"), "bytes 100-199/1000");
  EXPECT_EQ(middle.Header("Content-Length"), "100");
  EXPECT_EQ(middle.body, bytes.substr(100, 100));

  auto suffix = Fetch(url, {{"Range", "bytes=-50"}});
  EXPECT_EQ(suffix.status, 206);
  EXPECT_EQ(suffix.Header("Content-Range"), "bytes 950-999/1000");
  EXPECT_EQ(suffix.body, bytes.substr(950));

  auto open_ended = Fetch(url, {{"Range", "bytes=990-"}});
  EXPECT_EQ(open_ended.status, 206);
  EXPECT_EQ(open_ended.body, bytes.substr(990));

  auto past_end = Fetch(url, {{"Range", "bytes=990-5000"}});
  EXPECT_EQ(past_end.status, 206);
  EXPECT_EQ(past_end.Header("Content-Range"), "bytes 990-999/1000");

  auto unsatisfiable = Fetch(url, {{"Range", "bytes=1000-"}});
  EXPECT_EQ(unsatisfiable.status, 416);
  EXPECT_EQ(unsatisfiable.Header("Content-Range"), "bytes */1000");

  auto head = Fetch(url, {}, "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("Content-Length"), "1000");
  // The same kept-alive connection served every one of these.
  EXPECT_EQ(Fetch(url).body, bytes);
}

TEST_F(Content, TamperedAndMisusedLinksAreRefused) {
  const std::string bytes = RandomBytes(3000);
  auto declared = Upload(alice_, bytes);
  ASSERT_EQ(SendContent(alice_, declared.Str("id"), 3000).status, 201);
  const std::string url = Get(bob_, TargetOf(declared.Str("refresh_url"))).Str("download_url");
  ASSERT_EQ(Fetch(url).status, 200);

  std::string tampered = url;
  char& last = tampered.back();
  last = last == 'A' ? 'B' : 'A';
  auto r = Fetch(tampered);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.ErrorId(), "access_denied") << Describe(r);

  // A later expiry under the old signature.
  auto e = url.find("expires=");
  std::string later = url.substr(0, e + 8) + "9" + url.substr(e + 8);
  EXPECT_EQ(Fetch(later).status, 403);
  // No signature at all.
  EXPECT_EQ(Fetch(url.substr(0, url.find('?'))).status, 403);
  // The signature of one content on another.
  auto other = Upload(alice_, RandomBytes(10));
  std::string swapped = url;
  const std::string a = Uuid(declared.Str("id")), b = Uuid(other.Str("id"));
  swapped.replace(swapped.find(a), a.size(), b);
  EXPECT_EQ(Fetch(swapped).status, 403);
  // The download link does not upload, and the upload link does not download.
  EXPECT_EQ(Put(url, bytes).status, 403);
  EXPECT_EQ(Fetch(declared.Str("upload_url")).status, 403);
}

class ShortLinks : public Content {
 protected:
  relayer::Limits TestLimits() const override {
    relayer::Limits l;
    l.content_link_ttl_ms = 1000;
    return l;
  }
};

TEST_F(ShortLinks, ExpiredLinksAreRefusedAndRefreshGivesANewOne) {
  const std::string bytes = RandomBytes(3000);
  auto declared = Upload(alice_, bytes);
  ASSERT_EQ(SendContent(alice_, declared.Str("id"), 3000).status, 201);
  const std::string url = Get(bob_, TargetOf(declared.Str("refresh_url"))).Str("download_url");
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto r = Fetch(url);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.ErrorId(), "access_denied");
  EXPECT_NE(r.Str("message").find("expired"), std::string::npos) << r.Str("message");
  auto fresh = Get(bob_, TargetOf(declared.Str("refresh_url"))).Str("download_url");
  EXPECT_EQ(Fetch(fresh).body, bytes);
}

TEST_F(Content, OnlyTheUploaderAndParticipantsGetDownloadLinks) {
  const std::string carol = Login("carol");
  auto declared = Upload(alice_, RandomBytes(3000));
  const std::string refresh = TargetOf(declared.Str("refresh_url"));
  // Before any message holds it, only the uploader may see it.
  EXPECT_EQ(Get(alice_, refresh).status, 200);
  auto early = Get(bob_, refresh);
  EXPECT_EQ(early.status, 404);
  EXPECT_EQ(early.ErrorId(), "not_found");
  ASSERT_EQ(SendContent(alice_, declared.Str("id"), 3000).status, 201);
  EXPECT_EQ(Get(bob_, refresh).status, 200);
  auto outsider = Get(carol, refresh);
  EXPECT_EQ(outsider.status, 404) << Describe(outsider);
  EXPECT_EQ(outsider.ErrorId(), "not_found");
  // Unknown and malformed ids read the same.
  EXPECT_EQ(Get(bob_, "/content/" + server::RandomUuid()).ErrorId(), "not_found");
  EXPECT_EQ(Get(bob_, "/content/nope").ErrorId(), "not_found");
  // A participant removed from the conversation loses access.
  auto removed =
      Patch(alice_, "/conversations/" + conv_,
            R"([{"operation":"remove","property":"participants","id":"layer:///identities/bob"}])");
  ASSERT_EQ(removed.status, 204) << Describe(removed);
  EXPECT_EQ(Get(bob_, refresh).status, 404);
}

TEST_F(Content, PartsWithUnusableContentAreRefused) {
  auto check = [&](const HttpResult& r, const std::string& property) {
    EXPECT_EQ(r.status, 422) << Describe(r);
    EXPECT_EQ(r.ErrorId(), "invalid_property") << Describe(r);
    EXPECT_EQ(r.Str("property"), property) << Describe(r);
  };
  check(SendContent(alice_, "layer:///content/" + server::RandomUuid(), 10), "parts[0].content.id");
  check(SendContent(alice_, "not-a-content-id", 10), "parts[0].content.id");
  auto mine = Upload(alice_, RandomBytes(3000));
  check(SendContent(bob_, mine.Str("id"), 3000), "parts[0].content.id");  // not bob's upload
  auto pending = Declare(alice_, 3000);
  check(SendContent(alice_, pending.Str("id"), 3000), "parts[0].content.id");  // not uploaded
  // Nothing was written by the refused creates.
  auto list = Get(bob_, "/conversations/" + conv_ + "/messages");
  EXPECT_EQ(list.Array().size(), 0u) << Describe(list);
  // A wrong size is corrected to the uploaded one (the Web SDK counts text in UTF-16 units).
  auto sent = SendContent(alice_, mine.Str("id"), 2999);
  ASSERT_EQ(sent.status, 201) << Describe(sent);
  EXPECT_EQ(ContentOf(sent.json.as_object()).at("size").as_int64(), 3000);
}

TEST_F(Content, DeclarationsNeedTheUploadHeaders) {
  auto no_type = Call("POST", "/content", alice_, std::nullopt, {{"Upload-Content-Length", "10"}});
  EXPECT_EQ(no_type.ErrorId(), "invalid_header") << Describe(no_type);
  auto no_length =
      Call("POST", "/content", alice_, std::nullopt, {{"Upload-Content-Type", "image/png"}});
  EXPECT_EQ(no_length.ErrorId(), "invalid_header") << Describe(no_length);
  auto bad_length = Call("POST", "/content", alice_, std::nullopt,
                         {{"Upload-Content-Type", "image/png"}, {"Upload-Content-Length", "-1"}});
  EXPECT_EQ(bad_length.ErrorId(), "invalid_header") << Describe(bad_length);
  auto no_session = Call("POST", "/content", "", std::nullopt,
                         {{"Upload-Content-Type", "image/png"}, {"Upload-Content-Length", "1"}});
  EXPECT_EQ(no_session.status, 401);
}

TEST_F(Content, UploadsOfTheWrongLengthLeaveNothingVisible) {
  const std::string bytes = RandomBytes(5000);
  auto declared = Declare(alice_, bytes.size());
  const std::string upload_url = declared.Str("upload_url");
  auto shorter = Put(upload_url, bytes.substr(0, 4999));
  EXPECT_EQ(shorter.status, 400) << Describe(shorter);
  EXPECT_EQ(shorter.ErrorId(), "invalid_request");
  auto longer = Put(upload_url, bytes + "x");
  EXPECT_EQ(longer.status, 400) << Describe(longer);
  // A body cut off by the client: declared 5000 on the wire, 100 sent, then the connection ends.
  const std::string target = TargetOf(upload_url);
  RawExchange(server().port(), "PUT " + target +
                                   " HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
                                   bytes.substr(0, 100));
  // Not usable in a message, not downloadable, and no temp file left behind.
  auto early = SendContent(alice_, declared.Str("id"), 5000);
  EXPECT_EQ(early.status, 422) << Describe(early);
  auto link = Get(alice_, TargetOf(declared.Str("refresh_url"))).Str("download_url");
  EXPECT_EQ(Fetch(link).status, 404);
  const auto tmp = std::filesystem::path(server().data_dir()) / "content" / "tmp";
  EXPECT_TRUE(PollUntil([&] { return std::filesystem::is_empty(tmp); }));
  // The right length then goes through, once.
  EXPECT_EQ(Put(upload_url, bytes).status, 200);
  auto twice = Put(upload_url, bytes);
  EXPECT_EQ(twice.status, 409) << Describe(twice);
  EXPECT_EQ(Fetch(link).body, bytes);
}

class SmallContent : public Content {
 protected:
  relayer::Limits TestLimits() const override {
    relayer::Limits l;
    l.max_content_bytes = 4096;
    return l;
  }
};

TEST_F(SmallContent, UploadsOverTheLimitAre413AndTheServerKeepsServing) {
  auto at_limit = Declare(alice_, 4096);
  EXPECT_EQ(at_limit.status, 201) << Describe(at_limit);
  auto over = Declare(alice_, 4097);
  EXPECT_EQ(over.status, 413) << Describe(over);
  EXPECT_EQ(over.ErrorId(), "request_entity_too_large");
  EXPECT_NE(over.Str("message").find("4096"), std::string::npos) << over.Str("message");
  // A PUT claiming more than the limit is refused from its header, before its body is read.
  auto put = Put(at_limit.Str("upload_url"), RandomBytes(20000));
  EXPECT_EQ(put.status, 413) << Describe(put);
  EXPECT_EQ(put.ErrorId(), "request_entity_too_large");
  HttpClient other(server().port());
  auto ping = other.Send("HEAD", "/ping");
  EXPECT_TRUE(ping.status == 200 || ping.status == 204) << Describe(ping);
  EXPECT_EQ(Put(at_limit.Str("upload_url"), RandomBytes(4096)).status, 200);
}

}  // namespace
}  // namespace relayer::it

namespace relayer::it {
namespace {

class SmallBodies : public Content {
 protected:
  relayer::Limits TestLimits() const override {
    relayer::Limits l;
    l.max_body_bytes = 4096;
    return l;
  }
};

TEST_F(SmallBodies, UploadsStreamPastTheRequestBodyLimit) {
  // max_body_bytes bounds bodies read whole; content streams in pieces and is not bound by it.
  const std::string bytes = RandomBytes(300 * 1024, 11);
  auto declared = Upload(alice_, bytes);
  ASSERT_EQ(SendContent(alice_, declared.Str("id"), 300 * 1024).status, 201);
  auto link = Get(bob_, TargetOf(declared.Str("refresh_url"))).Str("download_url");
  EXPECT_TRUE(Fetch(link).body == bytes);
  // Other bodies still get the limit.
  auto big = Post(alice_, "/conversations", std::string(5000, ' '));
  EXPECT_EQ(big.status, 413) << Describe(big);
}

TEST_F(Content, AnUploadAskingToContinueIsAnsweredWith100ThenStored) {
  const std::string bytes = RandomBytes(3000, 5);
  auto declared = Declare(alice_, bytes.size());
  const std::string answer =
      RawExchange(server().port(),
                  "PUT " + TargetOf(declared.Str("upload_url")) +
                      " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3000\r\n"
                      "Connection: close\r\n\r\n" +
                      bytes);
  EXPECT_EQ(answer.rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << answer.substr(0, 200);
  EXPECT_NE(answer.find("HTTP/1.1 200 OK"), std::string::npos) << answer.substr(0, 400);
  ASSERT_EQ(SendContent(alice_, declared.Str("id"), 3000).status, 201);
  auto link = Get(bob_, TargetOf(declared.Str("refresh_url"))).Str("download_url");
  EXPECT_TRUE(Fetch(link).body == bytes);
}

TEST_F(Content, AChunkedUploadIsStoredWhole) {
  // Transfer-Encoding: chunked, with chunks of odd sizes (some reads then carry only framing).
  const std::string bytes = RandomBytes(200 * 1024 + 13, 9);
  auto declared = Declare(alice_, bytes.size());
  std::string chunked;
  for (size_t at = 0, n = 1; at < bytes.size(); at += n, n = n * 3 + 7) {
    n = std::min(n, bytes.size() - at);
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
    chunked += size_line + bytes.substr(at, n) + "\r\n";
  }
  chunked += "0\r\n\r\n";
  const std::string answer =
      RawExchange(server().port(), "PUT " + TargetOf(declared.Str("upload_url")) +
                                       " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                       "Connection: close\r\n\r\n" +
                                       chunked);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK", 0), 0u) << answer.substr(0, 400);
  ASSERT_EQ(SendContent(alice_, declared.Str("id"), static_cast<int64_t>(bytes.size())).status,
            201);
  auto link = Get(bob_, TargetOf(declared.Str("refresh_url"))).Str("download_url");
  EXPECT_TRUE(Fetch(link).body == bytes);
}

}  // namespace
}  // namespace relayer::it
