// Logs in many users at once over a few kept-alive connections, printing progress each second.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include "http_client.h"
#include "net.h"

namespace relayer::bench {

struct UserSessions {
  // In: the dev app, the users, and one client per concurrent login (at least one).
  std::string app_id;
  std::vector<std::string> users;
  std::vector<std::unique_ptr<HttpClient>> clients;
  // Out: tokens[i] is users[i]'s session token, empty when its login failed.
  std::vector<std::string> tokens;
  size_t done = 0;
  size_t failed = 0;
  std::string first_error;
  double seconds = 0;
  bool finished = false;
};

boost::asio::awaitable<void> LoginAll(UserSessions* sessions);

}  // namespace relayer::bench
