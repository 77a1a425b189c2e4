// How the chat scenarios (s1, s2) reach a server, whichever protocol it speaks: Relayer's
// Client API and layer-2.0 WebSocket, the storage-free relay (the same protocol, no login), or
// XMPP (ejabberd). The scenario owns the clock, the schedule and every counter; a transport only
// moves messages and reports what arrived, so every server is timed by the same code.
// Everything runs on the scenario's one thread: calls and callbacks alike.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net.h"

namespace relayer::bench {

enum class ReceiptKind { kDelivered, kRead };

// Implemented by the scenario. `user` is an index into ChatSetup::users.
class ChatEvents {
 public:
  virtual ~ChatEvents() = default;
  // The server accepted (ok) or refused message `seq` sent by `user`. For Relayer the answer
  // comes after the commit.
  virtual void OnAck(size_t user, uint64_t seq, bool ok, std::string_view error) = 0;
  // `user` received message `seq`, whose body was `body` (a scenario puts "seq=N " first).
  virtual void OnMessage(size_t user, uint64_t seq, std::string_view body) = 0;
  // `user` (the sender of `seq`) learnt that `by` delivered or read it.
  virtual void OnReceipt(size_t user, uint64_t seq, size_t by, ReceiptKind kind) = 0;
  // `user`'s connection ended without CloseAll().
  virtual void OnClosed(size_t user, const std::string& why) = 0;
  // Anything else that went wrong for `user` (a refused receipt, an unparsable packet), counted
  // by `what`.
  virtual void OnTransportError(size_t user, std::string_view what) {
    (void)user;
    (void)what;
  }
};

struct ChatSetup {
  std::vector<std::string> users;  // user ids, the transport adds no prefix
  // Conversations as user indexes; the first one creates it. Two users: a one-to-one chat.
  std::vector<std::vector<size_t>> conversations;
  int login_concurrency = 16;
  int source_addresses = 0;  // see SourceAddresses
};

class ChatTransport {
 public:
  virtual ~ChatTransport() = default;
  // Logs every user in, opens one connection each and creates the conversations. Returns "" when
  // all of it worked, or what failed first. Progress lines go to stderr.
  virtual boost::asio::awaitable<std::string> Setup(const ChatSetup* setup) = 0;
  // `from` (a member of conversation `conversation`) sends message `seq`; `seq` is also the
  // first thing in `body`. Queued: never blocks, never fails (failures come back as OnAck).
  virtual void Send(size_t conversation, size_t from, uint64_t seq, std::string_view body) = 0;
  // `user` marks message `seq`, which it received through OnMessage, delivered or read.
  virtual void SendReceipt(size_t user, uint64_t seq, ReceiptKind kind) = 0;
  // Whether `user`'s connection is open (a closed one is not reopened).
  virtual bool IsOpen(size_t user) const = 0;
  // `user` stops reading its connection but keeps it open, like a stalled client. False when the
  // transport cannot do that.
  virtual bool StopReading(size_t user) {
    (void)user;
    return false;
  }
  virtual void CloseAll() = 0;
};

// Relayer: logs in through the dev app of the server's `data_dir` (POST /nonces,
// /dev/identity_tokens, /sessions), creates conversations over REST, sends over the WebSocket and
// posts receipts over REST, as the Web SDK does.
// Relay (`relay` true): the same protocol against bench/relay, which needs no login: the session
// token is the user id and a conversation's id names its two users.
// `targets` (at least one; must outlive the transport) are nodes of one service: user i opens
// its WebSocket and posts its receipts on targets[i % size]; logins and conversations use
// targets[0].
std::unique_ptr<ChatTransport> MakeLayerTransport(boost::asio::any_io_executor ex,
                                                  const std::vector<Target>& targets,
                                                  std::string data_dir, bool relay,
                                                  ChatEvents* events);

// XMPP (ejabberd, see bench/ejabberd/): SASL PLAIN with the password `password`, resource bind,
// <message> stanzas carrying XEP-0184 receipt requests, acks from XEP-0198 stream management,
// read markers from XEP-0333. One-to-one conversations only.
std::unique_ptr<ChatTransport> MakeXmppTransport(boost::asio::any_io_executor ex,
                                                 const Target& target, std::string domain,
                                                 std::string password, ChatEvents* events);

}  // namespace relayer::bench
