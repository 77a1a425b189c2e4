// Internals of ClientApi shared by its handler files (client_api.cc, *_handlers.cc).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <vector>

#include "core/representation.h"
#include "server/api/client_api.h"
#include "server/api/errors.h"
#include "server/api/router.h"
#include "server/async.h"
#include "server/auth/session_cache.h"

namespace relayer::server {

struct ClientApi::Call {
  Request req;
  std::vector<std::string> params;           // path parameters, percent-decoded
  std::map<std::string, std::string> query;  // query parameters, decoded
  std::string base_url;                      // for `url` fields
  Caller caller;                             // set for authenticated routes

  const AppId& app() const { return caller.session.app_id; }
  const UserId& user() const { return caller.session.user_id; }
};

struct ClientApi::Impl {
  using Awaitable = boost::asio::awaitable<Response>;
  using Fn = Awaitable (Impl::*)(Call&);
  struct Route {
    Fn fn;
    bool needs_session = true;
    bool needs_accept = true;
  };

  Store& store;
  boost::asio::thread_pool& blocking;
  const AppRegistry& apps;
  ApiOptions options;
  Clock clock;
  Router<Route> router;
  SessionCache sessions;

  Impl(Store& s, boost::asio::thread_pool& b, const AppRegistry& a, ApiOptions o, Clock c);

  Awaitable Dispatch(Request req);
  boost::asio::awaitable<Result<Caller>> Authenticate(const std::string& token);
  boost::asio::awaitable<Response> Unauthorized(std::string message);
  // A fresh single-use nonce, stored; its text, or the store's error.
  boost::asio::awaitable<Result<std::string>> NewNonce();
  // Commits `op` and answers 204, or the error. Changes reach sockets through the store's
  // publisher (PublishingStore), not through the handlers.
  Awaitable WriteNoContent(WriteOp op);
  std::string BaseUrl(const Request& req) const;
  void AddCors(std::string_view origin, Response& res) const;  // origin: the request's Origin
  bool OriginAllowed(std::string_view origin) const;

  // Auth and identities (auth_handlers.cc).
  Awaitable PostNonces(Call& call);
  Awaitable PostSessions(Call& call);
  Awaitable DeleteSession(Call& call);
  Awaitable GetIdentity(Call& call);
  Awaitable Ping(Call& call);
  Awaitable Root(Call& call);
  Awaitable DevIdentityToken(Call& call);

  // Conversations (conversation_handlers.cc).
  Awaitable PostConversation(Call& call);
  Awaitable ListConversations(Call& call);
  Awaitable GetConversation(Call& call);
  Awaitable PatchConversation(Call& call);
  Awaitable DeleteConversation(Call& call);
  Awaitable MarkAllRead(Call& call);

  // Messages and receipts (message_handlers.cc).
  Awaitable PostMessage(Call& call);
  Awaitable ListMessages(Call& call);
  Awaitable GetMessage(Call& call);
  Awaitable DeleteMessage(Call& call);
  Awaitable PostReceipt(Call& call);

  // Push tokens (push_token_handlers.cc).
  Awaitable PostPushToken(Call& call);
  Awaitable DeletePushToken(Call& call);
  // Announcements sent by the Platform API (announcement_handlers.cc).
  Awaitable ListAnnouncements(Call& call);
  Awaitable GetAnnouncement(Call& call);
  Awaitable DeleteAnnouncement(Call& call);
  Awaitable PostAnnouncementReceipt(Call& call);
  // Rich content (content_handlers.cc).
  Awaitable PostContent(Call& call);
  Awaitable GetContent(Call& call);
  // What signs download links in rendered message parts (null without rich content).
  const ContentLinks* links() const;

  // Shared by handlers.
  Result<Page> ParsePage(const Call& call) const;
  Result<ConversationId> ConversationParam(const Call& call) const;
  Result<MessageId> MessageParam(const Call& call) const;
};

// Parses the `parts` array of a message create (shared with the WebSocket Message.create).
Result<std::vector<MessagePart>> ParseParts(const boost::json::value* parts, const Limits& limits);
// Builds CreateConversationOp fields from a create body (shared with Conversation.create).
Status ParseConversationCreate(const boost::json::object& body, const Limits& limits,
                               CreateConversationOp& op);
// The error a create answers with when it found an existing object (conflict, id_in_use), or Ok
// for a created or an equal distinct conversation. `kind` names the object: "conversation".
Status CreateOutcomeStatus(CreateOutcome outcome, std::string_view kind);
// Builds CreateMessageOp fields from a create body (shared with Message.create).
Status ParseMessageCreate(const boost::json::object& body, const Limits& limits,
                          CreateMessageOp& op);

}  // namespace relayer::server
