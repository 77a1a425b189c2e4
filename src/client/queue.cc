// The send queue: operations run one at a time, in order, over REST. A network failure or a 5xx
// keeps the operation at the head and retries it after a backoff with the same body (hence the
// same client-chosen id: the server answers a repeat with the existing object, so nothing is
// ever created twice). Any other error is final for that operation.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "client/client_impl.h"
#include "client/codec.h"
#include "client/socket.h"

namespace relayer::sdk {

namespace asio = boost::asio;
namespace json = boost::json;

// Layer's inline limit: larger bodies travel as rich content.
constexpr size_t kMaxInlineBytes = 2048;

void ClientImpl::WakeQueueOnIo() {
  if (queue_wake_) queue_wake_->cancel();
}

void ClientImpl::EnqueueOnIo(Op op) {
  if (op.seq == 0) {
    std::lock_guard order(enqueue_mu_);
    store_.Add(user(), op);
  }
  queue_.push_back(std::move(op));
  {
    std::lock_guard lock(mu_);
    pending_ = queue_.size();
  }
  WakeQueueOnIo();
}

asio::awaitable<void> ClientImpl::QueueLoop() {
  int attempt = 0;
  for (;;) {
    if (queue_.empty() || session_token_.empty()) {
      queue_wake_->expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code ec;
      auto wait_aw = queue_wake_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
      co_await std::move(wait_aw);
      continue;
    }
    Op& op = queue_.front();
    auto run_aw = RunOpOnIo(op);
    Status s = co_await std::move(run_aw);
    bool transient = s.code() == StatusCode::kUnavailable ||
                     (s.code() == StatusCode::kServerError && s.httpStatus() >= 500);
    if (s.code() == StatusCode::kUnauthenticated && s.httpStatus() == 401) {
      // The session expired: the connection loop authenticates again, then wakes us.
      session_token_.clear();
      if (socket_) socket_->Close();
      continue;
    }
    if (transient) {
      // Sleep on the wake timer, so that a restored connection cuts the backoff short.
      queue_wake_->expires_after(Backoff(attempt++));
      boost::system::error_code ec;
      auto wait_aw = queue_wake_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
      co_await std::move(wait_aw);
      continue;
    }
    attempt = 0;
    Op done = std::move(queue_.front());
    queue_.pop_front();
    store_.Remove(done.seq);
    {
      std::lock_guard lock(mu_);
      pending_ = queue_.size();
    }
    if (done.done) done.done(s);
  }
}

asio::awaitable<Status> ClientImpl::UploadPartsOnIo(Op& op) {
  boost::system::error_code ec;
  auto body = json::parse(op.body, ec);
  if (ec || !body.is_object()) co_return Status(StatusCode::kInvalidArgument, "bad queued body");
  auto* parts = body.as_object().if_contains("parts");
  if (!parts || !parts->is_array()) co_return Status();
  bool changed = false;
  auto& array = parts->as_array();
  for (size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_object()) continue;
    auto& part = array[i].as_object();
    if (!part.contains("body")) continue;
    std::string bytes = JStr(part, "body");
    if (JStr(part, "encoding") == "base64") Codec::Base64Decode(JStr(part, "body"), bytes);
    if (bytes.size() <= kMaxInlineBytes) continue;
    std::string mime = JStr(part, "mime_type");
    net::HttpRequest create;
    create.method = "POST";
    create.url = options_.server_url + "/content";
    create.headers = {{"Accept", "application/vnd.layer+json; version=2.0"},
                      {"Authorization", "Layer session-token=\"" + session_token_ + "\""},
                      {"Upload-Content-Type", mime},
                      {"Upload-Content-Length", std::to_string(bytes.size())},
                      {"Upload-Origin", options_.server_url}};
    auto create_aw = net::HttpFetch(std::move(create), options_.request_timeout);
    HttpResponse created = co_await std::move(create_aw);
    if (auto s = StatusOf(created); !s.ok()) co_return s;
    auto content = json::parse(created.body, ec);
    if (ec || !content.is_object()) co_return Status(StatusCode::kServerError, "bad content");
    std::string content_id = JStr(content.as_object(), "id");
    net::HttpRequest put;
    put.method = "PUT";
    put.url = JStr(content.as_object(), "upload_url");
    put.headers = {{"Upload-Content-Type", mime},
                   {"Upload-Content-Length", std::to_string(bytes.size())}};
    put.body = bytes;
    auto put_aw = net::HttpFetch(std::move(put), options_.request_timeout * 4);
    HttpResponse uploaded = co_await std::move(put_aw);
    if (auto s = StatusOf(uploaded); !s.ok()) co_return s;
    json::object replaced{{"mime_type", mime},
                          {"content", json::object{{"id", content_id},
                                                   {"size", static_cast<int64_t>(bytes.size())}}}};
    array[i] = std::move(replaced);
    changed = true;
    // The sender keeps its bytes; the part now also names its content.
    if (auto msg = FindMessage(op.object_id)) {
      std::lock_guard lock(msg.rec_->mu);
      if (i < msg.rec_->parts.size())
        Codec::SetContent(msg.rec_->parts[i],
                          ContentInfo{content_id, static_cast<int64_t>(bytes.size()), "", ""});
    }
  }
  if (changed) {
    op.body = json::serialize(body);
    store_.Update(op);  // a retry after a crash does not upload again
  }
  co_return Status();
}

asio::awaitable<Status> ClientImpl::RunOpOnIo(Op& op) {
  if (op.kind == "message") {
    auto upload_aw = UploadPartsOnIo(op);
    Status s = co_await std::move(upload_aw);
    if (!s.ok()) co_return s;
  }
  std::string content_type =
      op.method == "PATCH" ? "application/vnd.layer-patch+json" : "application/json";
  auto call_aw = ApiOnIo(op.method, op.path, op.body, content_type);
  HttpResponse res = co_await std::move(call_aw);
  Status s = StatusOf(res);
  boost::system::error_code ec;
  json::value answer = json::parse(res.body, ec);
  if (ec) answer = nullptr;
  // A repeat of our own id (id_in_use) or a distinct conversation that exists with other
  // metadata (conflict): the existing object is in `data`, and the Web SDK adopts it.
  if (s.code() == StatusCode::kConflict && answer.is_object()) {
    if (auto* data = JObj(answer.as_object(), "data")) {
      answer = *data;
      s = Status();
    }
  }
  if (!s.ok()) co_return s;
  if (!answer.is_object()) co_return s;
  const auto& obj = answer.as_object();
  if (op.kind == "conversation") {
    std::string id = JStr(obj, "id");
    if (!id.empty() && id != op.object_id) RekeyConversationOnIo(op.object_id, id);
    UpsertConversationOnIo(obj, true);
  } else if (op.kind == "message") {
    UpsertMessageOnIo(obj, true);
  }
  co_return s;
}

void ClientImpl::RekeyConversationOnIo(const std::string& old_id, const std::string& new_id) {
  std::shared_ptr<ConversationRecord> rec;
  {
    std::lock_guard lock(mu_);
    auto it = conversations_.find(old_id);
    if (it == conversations_.end()) return;
    rec = it->second;
    conversations_.erase(it);
    auto existing = conversations_.find(new_id);
    if (existing == conversations_.end()) conversations_[new_id] = rec;
  }
  {
    std::lock_guard lock(rec->mu);
    rec->id = ConversationId(new_id);
  }
  // Queued operations and unsent messages follow the conversation to its server id.
  std::string old_uuid = Codec::Uuid(old_id), new_uuid = Codec::Uuid(new_id);
  for (auto& op : queue_) {
    if (auto at = op.path.find(old_uuid); at != std::string::npos) {
      op.path.replace(at, old_uuid.size(), new_uuid);
      store_.Update(op);
    }
  }
  std::vector<std::shared_ptr<MessageRecord>> msgs;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, m] : messages_) msgs.push_back(m);
  }
  for (auto& m : msgs) {
    std::lock_guard lock(m->mu);
    if (m->conversation.str() == old_id) m->conversation = ConversationId(new_id);
  }
  ConversationsChangeEvent e;
  e.target = Conversation(rec);
  e.changes.push_back({"id", old_id, new_id});
  Emit(on_conversations_change_, e);
}

}  // namespace relayer::sdk
