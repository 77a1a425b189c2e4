// Layer's JSON representation of the domain objects (Client API 2.0), shared by the REST
// answers, WebSocket change packets and the stored change log. No transport here.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "core/model.h"

namespace relayer {

// RFC 3339 UTC with milliseconds, e.g. "2026-11-25T17:00:00.123Z".
std::string FormatTime(TimeMs t);

// {id, url, user_id, display_name, avatar_url}; `base_url` is the server's public origin
// ("http://127.0.0.1:7070"), used for the `url` fields.
boost::json::object BasicIdentityJson(const Identity& identity, const std::string& base_url);
void AppendBasicIdentityJson(std::string& out, const Identity& identity,
                             const std::string& base_url);  // the same, as JSON text
// The full identity: basic fields plus first_name, last_name, email_address, phone_number, ...
boost::json::object IdentityJson(const Identity& identity, const std::string& base_url);

// Download links of rich content, made by the server (core does no crypto). A null ContentLinks
// renders content with download_url and expiration null (the client asks the refresh_url).
// Implementations are safe to call from any thread.
class ContentLinks {
 public:
  struct Link {
    std::string download_url;
    TimeMs expiration = 0;
  };
  virtual ~ContentLinks() = default;
  // A link to content `id` served from `base_url`, valid until `expiration`.
  virtual Link DownloadLink(const ContentId& id, const std::string& base_url) const = 0;
};

// The content object {id, download_url, expiration, refresh_url, size} of a part or of
// GET /content/UUID.
boost::json::object ContentJson(const ContentRef& content, const std::string& base_url,
                                const ContentLinks* links);

// A message as `viewer` sees it (is_unread is per viewer).
// Whether `viewer` has not read `m` yet (never for its sender); the one viewer-specific field of
// a message's representation.
bool IsUnreadFor(const Message& m, const UserId& viewer);
boost::json::object MessageJson(const Message& m, const UserId& viewer, const std::string& base_url,
                                const ContentLinks* links = nullptr);
// The same as JSON text, appended to `out` (written straight as text, no DOM: the one definition
// MessageJson parses), with `is_unread` given.
void AppendMessageJson(std::string& out, const Message& m, bool is_unread,
                       const std::string& base_url, const ContentLinks* links = nullptr);
// MessageJson as JSON text for every viewer at once: the object is rendered once, and a viewer's
// form is that text with its is_unread (the one field that differs) appended last. For the
// answer to a send and the copies pushed to the conversation's sockets.
class MessageText {
 public:
  MessageText(const Message& m, const std::string& base_url, const ContentLinks* links);
  std::string For(bool is_unread) const;

 private:
  std::string head_;  // the object without is_unread and without its closing brace
};
// An announcement (a Message without conversation) as its recipient `viewer` sees it: id
// layer:///announcements/UUID, parts layer:///announcements/UUID/parts/N, no conversation.
boost::json::object AnnouncementJson(const Message& m, const UserId& viewer,
                                     const std::string& base_url);
// A conversation as `viewer` sees it.
boost::json::object ConversationJson(const Conversation& c, const UserId& viewer,
                                     const std::string& base_url,
                                     const ContentLinks* links = nullptr);

}  // namespace relayer
