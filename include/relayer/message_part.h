// One part of a message: a MIME type and a body (text or arbitrary bytes in a std::string).
// A body over 2 KB (Layer's inline limit) is sent as rich content: the SDK uploads it
// (POST /content, then PUT to the signed upload link) and sends the part as content{id, size}.
// A received rich-content part arrives without its body (hasContent() true, isLoaded() false);
// Message::fetchPart() downloads it lazily. A plain value: copyable, safe to move between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace relayer::sdk {

// Layer's rich content reference of a part.
struct ContentInfo {
  std::string id;            // "layer:///content/UUID"
  int64_t size = 0;          // bytes
  std::string download_url;  // signed, expires at `expiration` (received parts only)
  std::string expiration;    // as the server sent it (ISO 8601)
};

class MessagePart {
 public:
  // Text or bytes; `mime_type` must contain a '/' (the server refuses others).
  MessagePart(std::string mime_type, std::string body)
      : mime_type_(std::move(mime_type)), body_(std::move(body)), loaded_(true) {}
  // A text/plain part.
  static MessagePart Text(std::string text) { return MessagePart("text/plain", std::move(text)); }

  const std::string& mimeType() const { return mime_type_; }
  // The bytes; empty for a rich-content part that was not fetched yet.
  const std::string& body() const { return body_; }
  // True once the body is here (always for parts this client created or inline parts).
  bool isLoaded() const { return loaded_; }
  // Set when the part travels (or travelled) as rich content.
  const std::optional<ContentInfo>& content() const { return content_; }
  bool hasContent() const { return content_.has_value(); }
  // "layer:///messages/UUID/parts/N" once the server has the message; empty before.
  const std::string& id() const { return id_; }

 private:
  friend class ClientImpl;
  friend struct Codec;
  MessagePart() = default;
  std::string mime_type_;
  std::string body_;
  bool loaded_ = false;
  std::optional<ContentInfo> content_;
  std::string id_;
};

}  // namespace relayer::sdk
