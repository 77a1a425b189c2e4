#include "xmpp_conn.h"

#include "xmpp_text.h"

namespace relayer::bench {

void XmppConn::QueueStreamHeader(std::string_view domain) {
  out_ += "<?xml version='1.0'?><stream:stream to='";
  AppendEscaped(out_, domain);
  out_ += "' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
}

void XmppConn::QueueAuthPlain(std::string_view user, std::string_view password) {
  std::string credentials;  // RFC 4616: authzid NUL authcid NUL password, no authzid
  credentials.push_back('\0');
  credentials.append(user);
  credentials.push_back('\0');
  credentials.append(password);
  out_ += "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>";
  AppendBase64(out_, credentials);
  out_ += "</auth>";
}

void XmppConn::QueueBind() {
  out_ +=
      "<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
      "<resource>bench</resource></bind></iq>";
}

void XmppConn::QueueSession() {
  out_ += "<iq type='set' id='session'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>";
}

void XmppConn::QueueEnable() { out_ += "<enable xmlns='urn:xmpp:sm:3'/>"; }

void XmppConn::EnabledByServer() {
  sm_enabled_ = true;
  stanzas_out_ = stanzas_in_ = 0;
}

void XmppConn::QueueInitialPresence() {
  out_ += "<presence/><r xmlns='urn:xmpp:sm:3'/>";
  CountOutgoing();
}

void XmppConn::QueueMessage(std::string_view to, std::string_view domain, uint64_t seq,
                            std::string_view body) {
  out_ += "<message to='";
  AppendEscaped(out_, to);
  out_ += '@';
  AppendEscaped(out_, domain);
  out_ += "' type='chat' id='";
  AppendUint(out_, seq);
  out_ += "'><body>";
  AppendEscaped(out_, body);
  out_ +=
      "</body><request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>"
      "</message>";
  CountOutgoing();
  unacked_.emplace_back(stanzas_out_, seq);
  request_ack_ = true;
}

void XmppConn::QueueReceipt(std::string_view to, std::string_view domain, uint64_t seq,
                            ReceiptKind kind) {
  const bool read = kind == ReceiptKind::kRead;
  out_ += "<message to='";
  AppendEscaped(out_, to);
  out_ += '@';
  AppendEscaped(out_, domain);
  out_ += read ? "' type='chat' id='mark-" : "' id='rcpt-";
  AppendUint(out_, seq);
  out_ += read ? "'><displayed xmlns='urn:xmpp:chat-markers:0' id='"
               : "'><received xmlns='urn:xmpp:receipts' id='";
  AppendUint(out_, seq);
  out_ += "'/></message>";
  CountOutgoing();
}

void XmppConn::QueueAckAnswer() {
  if (!sm_enabled_) return;
  out_ += "<a xmlns='urn:xmpp:sm:3' h='";
  AppendUint(out_, stanzas_in_ & 0xffffffffu);
  out_ += "'/>";
}

void XmppConn::QueueIqAnswer(const XmlStanza& iq) {
  const std::string_view type = iq.Attr(0, "type");
  if (type != "get" && type != "set") return;  // results and errors need no answer
  // XEP-0199 pings get a result; anything else the error RFC 6120 8.4 asks for.
  const bool ping = iq.Child(0, "ping", "urn:xmpp:ping") != XmlStanza::kNone;
  out_ += ping ? "<iq type='result' id='" : "<iq type='error' id='";
  AppendEscaped(out_, iq.Attr(0, "id"));
  if (!iq.Attr(0, "from").empty()) {
    out_ += "' to='";
    AppendEscaped(out_, iq.Attr(0, "from"));
  }
  out_ += ping ? "'/>"
               : "'><error type='cancel'><service-unavailable "
                 "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>";
  CountOutgoing();
}

void XmppConn::QueueStreamEnd() {
  out_ += "</stream:stream>";
  request_ack_ = false;
}

bool XmppConn::TakeBatch() {
  if (out_.empty()) return false;
  if (request_ack_) {
    out_ += "<r xmlns='urn:xmpp:sm:3'/>";
    request_ack_ = false;
  }
  std::swap(out_, writing_);
  out_.clear();
  return true;
}

bool XmppConn::Refuse(uint64_t seq) {
  for (const auto& entry : unacked_) {
    if (entry.second != seq) continue;
    refused_.insert(seq);
    return true;
  }
  return false;
}

}  // namespace relayer::bench
