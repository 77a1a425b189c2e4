// The Platform API 1.x representation of conversations, messages and announcements: `url`s under
// /apps/APP_UUID, participants and recipient_status keyed by plain user ids, and
// sender {user_id, name} (user_id null for a named service). Built on the Client API
// representation (core/representation.h) so that parts render the same way in both.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "core/model.h"
#include "core/representation.h"

namespace relayer::server {

// `app_url` is "<base>/apps/<app uuid>". `viewer` is the user a per-user read is made for, or
// empty for the app itself (then is_unread and unread counts are left out). Rich content parts get
// signed download links from `links` (null: download_url null) and Client API refresh_urls.
boost::json::object PlatformMessageJson(const Message& m, const UserId& viewer,
                                        const std::string& app_url,
                                        const ContentLinks* links = nullptr);
boost::json::object PlatformConversationJson(const Conversation& c, const UserId& viewer,
                                             const std::string& app_url,
                                             const ContentLinks* links = nullptr);
boost::json::object PlatformAnnouncementJson(const Message& m, const std::string& app_url);

}  // namespace relayer::server
