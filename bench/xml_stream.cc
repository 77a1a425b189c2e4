#include "xml_stream.h"

#include <expat.h>

namespace relayer::bench {

std::string_view XmlStanza::Attr(size_t e, std::string_view key) const {
  const Element& el = elements_[e];
  for (uint32_t a = el.attrs_begin; a < el.attrs_end; ++a) {
    if (View(attributes_[a].key) == key) return View(attributes_[a].value);
  }
  return {};
}

size_t XmlStanza::Child(size_t e, std::string_view name, std::string_view ns) const {
  for (size_t c = e + 1; c < elements_.size(); ++c) {
    if (elements_[c].parent != e || Name(c) != name) continue;
    if (ns.empty() || Attr(c, "xmlns") == ns) return c;
  }
  return kNone;
}

size_t XmlStanza::FirstChild(size_t e) const {
  // Document order: a first child, if any, comes right after its parent.
  return e + 1 < elements_.size() && elements_[e + 1].parent == e ? e + 1 : kNone;
}

XmlStanza::Span XmlStanza::Append(std::string_view s) {
  Span span{static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(s.size())};
  arena_.append(s);
  return span;
}

void XmlStanza::Clear() {
  arena_.clear();
  elements_.clear();
  attributes_.clear();
}

XmlStream::XmlStream(Handler* handler, size_t max_stanza_bytes)
    : handler_(handler), max_stanza_bytes_(max_stanza_bytes), parser_(XML_ParserCreate("UTF-8")) {
  Init();
}

XmlStream::~XmlStream() {
  if (parser_) XML_ParserFree(parser_);
}

void XmlStream::Init() {
  if (!parser_) return;
  XML_SetUserData(parser_, this);
  XML_SetElementHandler(parser_, &OnStart, &OnEnd);
  XML_SetCharacterDataHandler(parser_, &OnText);
  XML_SetStartDoctypeDeclHandler(parser_, &OnDoctype);
  depth_ = 0;
  fed_ = boundary_ = 0;
  restart_ = false;
  open_.clear();
}

char* XmlStream::Buffer(size_t size) {
  if (!parser_ || !error_.empty()) return nullptr;
  return static_cast<char*>(XML_GetBuffer(parser_, static_cast<int>(size)));
}

std::string XmlStream::Parse(size_t n) {
  if (!parser_) return "out of memory";
  if (!error_.empty()) return error_;
  fed_ += static_cast<int64_t>(n);
  const XML_Status status = XML_ParseBuffer(parser_, static_cast<int>(n), XML_FALSE);
  if (restart_) {
    XML_ParserReset(parser_, "UTF-8");
    Init();
    return "";
  }
  if (!error_.empty()) return error_;
  if (status != XML_STATUS_OK) {
    error_ = XML_ErrorString(XML_GetErrorCode(parser_));
    return error_;
  }
  if (fed_ - boundary_ > static_cast<int64_t>(max_stanza_bytes_)) {
    error_ = "a stanza over " + std::to_string(max_stanza_bytes_) + " bytes";
  }
  return error_;
}

void XmlStream::RequestRestart() {
  restart_ = true;
  XML_StopParser(parser_, XML_FALSE);
}

void XmlStream::MarkBoundary() {
  boundary_ = XML_GetCurrentByteIndex(parser_) + XML_GetCurrentByteCount(parser_);
}

void XmlStream::OnStart(void* self_ptr, const char* name, const char** attrs) {
  auto* self = static_cast<XmlStream*>(self_ptr);
  if (self->depth_++ == 0) {  // the stream header: nothing in it matters to the bench
    self->MarkBoundary();
    return;
  }
  XmlStanza& st = self->stanza_;
  if (self->open_.empty()) st.Clear();
  XmlStanza::Element el;
  el.name = st.Append(name);
  el.parent = self->open_.empty() ? XmlStanza::kNone : self->open_.back();
  el.attrs_begin = static_cast<uint32_t>(st.attributes_.size());
  for (const char** a = attrs; a[0] && a[1]; a += 2) {
    XmlStanza::Attribute attr;
    attr.key = st.Append(a[0]);
    attr.value = st.Append(a[1]);
    st.attributes_.push_back(attr);
  }
  el.attrs_end = static_cast<uint32_t>(st.attributes_.size());
  st.elements_.push_back(el);
  self->open_.push_back(st.elements_.size() - 1);
  if (self->open_texts_.size() < self->open_.size()) self->open_texts_.emplace_back();
  self->open_texts_[self->open_.size() - 1].clear();
}

void XmlStream::OnEnd(void* self_ptr, const char*) {
  auto* self = static_cast<XmlStream*>(self_ptr);
  if (--self->depth_ == 0) {
    self->handler_->OnStreamEnd();
    return;
  }
  if (self->open_.empty()) return;
  XmlStanza& st = self->stanza_;
  const size_t level = self->open_.size() - 1;
  st.elements_[self->open_.back()].text = st.Append(self->open_texts_[level]);
  self->open_.pop_back();
  if (!self->open_.empty()) return;
  self->MarkBoundary();
  self->handler_->OnStanza(st);
}

void XmlStream::OnText(void* self_ptr, const char* text, int len) {
  auto* self = static_cast<XmlStream*>(self_ptr);
  if (self->open_.empty()) {  // whitespace between stanzas (keepalives)
    self->MarkBoundary();
    return;
  }
  self->open_texts_[self->open_.size() - 1].append(text, static_cast<size_t>(len));
}

void XmlStream::OnDoctype(void* self_ptr, const char*, const char*, const char*, int) {
  auto* self = static_cast<XmlStream*>(self_ptr);
  self->error_ = "a DTD in the stream (RFC 6120 11.1 forbids it)";
  XML_StopParser(self->parser_, XML_FALSE);
}

}  // namespace relayer::bench
