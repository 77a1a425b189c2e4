// Validation of client-supplied message content, independent of transport.
#pragma once

#include <string_view>
#include <vector>

#include "core/limits.h"
#include "core/model.h"
#include "core/status.h"

namespace relayer {

// A MIME type is "type/subtype" (RFC 6838 token characters), optionally followed by parameters
// ("; charset=utf-8"). Anything without a '/' is rejected.
bool IsValidMimeType(std::string_view mime);

bool IsValidBase64(std::string_view s);

// Checks parts: count, MIME types, encodings, inline sizes (decoded size for base64; bodies over
// limits.max_inline_part_bytes are rejected with a message pointing to rich content).
Status ValidateParts(const std::vector<MessagePart>& parts, const Limits& limits);

// The canonical participant set of a distinct conversation: sorted, unique user ids, encoded so
// that different sets never collide (length-prefixed). Used as a unique key by the store.
std::string DistinctKey(std::vector<UserId> participants);

// Sorted, de-duplicated participants.
std::vector<UserId> NormalizeParticipants(std::vector<UserId> participants);

Status ValidateUserId(std::string_view user_id, const Limits& limits);

}  // namespace relayer
