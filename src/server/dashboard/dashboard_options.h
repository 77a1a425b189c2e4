// Settings of the developer dashboard (config file [dashboard], serve flags; see
// docs/configuration.md). Plain values, copied where needed.
#pragma once

#include <cstddef>

namespace relayer::server {

struct DashboardOptions {
  bool enabled = true;
  size_t max_wait_seconds = 30;  // longest a logs long-poll is held (`wait` is clamped)
  size_t max_waiting = 100;      // long-polls held at once, all apps together; more get 429
  size_t max_page_size = 500;    // log entries or conversations per answer
  size_t max_messages = 50;      // messages shown per conversation
};

}  // namespace relayer::server
