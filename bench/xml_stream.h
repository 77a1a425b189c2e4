// An XMPP stream as stanzas: libexpat parses the bytes of one connection as they arrive (a
// stanza may span reads, a read may hold several) and hands over each complete top-level element
// as a small flat tree. Buffers are reused from stanza to stanza and a stanza is capped in size,
// since the peer decides how much it sends. Not thread-safe; one per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct XML_ParserStruct;

namespace relayer::bench {

// One stanza: elements in document order, [0] is the stanza itself. Names are qualified as
// written ("stream:features"); namespaces are not resolved, `xmlns` is an attribute like any.
class XmlStanza {
 public:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  size_t size() const { return elements_.size(); }
  std::string_view Name(size_t e) const { return View(elements_[e].name); }
  std::string_view Text(size_t e) const { return View(elements_[e].text); }  // direct text only
  std::string_view Attr(size_t e, std::string_view key) const;               // "" when absent
  // The first child element of `e` named `name` (with xmlns `ns` unless `ns` is empty), or kNone.
  size_t Child(size_t e, std::string_view name, std::string_view ns = {}) const;
  size_t FirstChild(size_t e) const;  // kNone when `e` has no child element
  size_t Parent(size_t e) const { return elements_[e].parent; }

 private:
  friend class XmlStream;
  struct Span {
    uint32_t offset = 0, size = 0;
  };
  struct Element {
    Span name, text;
    size_t parent = kNone;
    uint32_t attrs_begin = 0, attrs_end = 0;
  };
  struct Attribute {
    Span key, value;
  };
  std::string_view View(Span s) const { return std::string_view(arena_).substr(s.offset, s.size); }
  Span Append(std::string_view s);
  void Clear();

  std::string arena_;  // every name, attribute and text of the stanza, back to back
  std::vector<Element> elements_;
  std::vector<Attribute> attributes_;
};

class XmlStream {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void OnStanza(const XmlStanza& stanza) = 0;
    virtual void OnStreamEnd() = 0;  // </stream:stream>
  };

  XmlStream(Handler* handler, size_t max_stanza_bytes);
  ~XmlStream();
  XmlStream(const XmlStream&) = delete;
  XmlStream& operator=(const XmlStream&) = delete;

  // Where the next read may put up to `size` bytes (parser-owned memory: nothing is copied), or
  // nullptr when the parser cannot take more. Then Parse(n) with the n bytes read.
  char* Buffer(size_t size);
  // "" or why the stream is unusable (not well-formed, a DTD, a stanza over the cap).
  std::string Parse(size_t n);
  // From a handler: the server restarts the stream (after SASL success); bytes after the current
  // stanza in this read are dropped (RFC 6120 6.4.6: the server sends nothing before the client's
  // new header), and the next Parse starts a new document.
  void RequestRestart();

 private:
  static void OnStart(void* self, const char* name, const char** attrs);
  static void OnEnd(void* self, const char* name);
  static void OnText(void* self, const char* text, int len);
  static void OnDoctype(void* self, const char*, const char*, const char*, int);
  void Init();
  void MarkBoundary();

  Handler* handler_;
  size_t max_stanza_bytes_;
  XML_ParserStruct* parser_;
  int depth_ = 0;                   // 1 inside <stream:stream>, 2 inside a stanza
  int64_t fed_ = 0, boundary_ = 0;  // bytes parsed, and where the last stanza (or the header) ended
  bool restart_ = false;
  std::string error_;
  XmlStanza stanza_;
  std::vector<size_t> open_;             // elements of the stanza still open, innermost last
  std::vector<std::string> open_texts_;  // their text so far, same index
};

}  // namespace relayer::bench
