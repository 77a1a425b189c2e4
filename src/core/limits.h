// Every limit the server enforces, in one place, each with Layer's documented default.
// Set from the config file and flags; tests override them to prove each one.
#pragma once

#include <cstddef>
#include <cstdint>

namespace relayer {

struct Limits {
  size_t max_body_bytes = 1 << 20;      // HTTP request body
  size_t max_inline_part_bytes = 2048;  // a part's body without rich content
  size_t max_parts_per_message = 100;
  size_t max_message_bytes = 64 * 1024;  // all inline parts of a message together
  size_t max_participants = 25;          // per conversation
  size_t max_page_size = 100;            // lists
  size_t default_page_size = 100;
  size_t max_metadata_bytes = 16 * 1024;  // serialized conversation metadata
  size_t max_user_id_bytes = 255;
  size_t max_display_name = 128;
  size_t max_avatar_url = 1024;
  size_t max_announcement_recipients = 1000;  // Platform API announcements
  int64_t nonce_ttl_ms = 10 * 60 * 1000;
  int64_t session_ttl_ms = 30LL * 24 * 60 * 60 * 1000;        // 30 days
  int64_t identity_token_max_age_ms = 24LL * 60 * 60 * 1000;  // iat may not be older
  uint64_t max_content_bytes = 2ULL << 30;         // one rich content upload (Layer: 2 GB)
  int64_t content_link_ttl_ms = 60LL * 60 * 1000;  // signed upload and download links
  // Sync log retention: older or surplus rows are pruned by the writer a few at a time (0: keep).
  int64_t sync_log_max_age_ms = 7LL * 24 * 60 * 60 * 1000;  // 7 days
  size_t sync_log_max_rows = 1000000;
};

}  // namespace relayer
