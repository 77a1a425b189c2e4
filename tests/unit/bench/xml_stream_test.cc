#include "bench/xml_stream.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace relayer::bench {
namespace {

constexpr const char* kHeader =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
    "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

// Records each stanza as "name id=… text-of-first-child" and can restart on <success/>.
struct Recorder : XmlStream::Handler {
  void OnStanza(const XmlStanza& st) override {
    // Appends, not "a" + std::string(...): g++ 12 warns falsely on the latter (-Wrestrict).
    std::string line(st.Name(0));
    if (!st.Attr(0, "id").empty()) line.append(" id=").append(st.Attr(0, "id"));
    const size_t child = st.FirstChild(0);
    if (child != XmlStanza::kNone) line.append(" ").append(st.Text(child));
    stanzas.push_back(line);
    if (st.Name(0) == "success") stream->RequestRestart();
  }
  void OnStreamEnd() override { ended = true; }
  XmlStream* stream = nullptr;
  std::vector<std::string> stanzas;
  bool ended = false;
};

// Feeds `text` in pieces of `piece` bytes; returns the first error.
std::string Feed(XmlStream& xml, const std::string& text, size_t piece) {
  for (size_t at = 0; at < text.size(); at += piece) {
    const size_t n = std::min(piece, text.size() - at);
    char* buffer = xml.Buffer(n);
    if (!buffer) return "no buffer";
    std::memcpy(buffer, text.data() + at, n);
    std::string error = xml.Parse(n);
    if (!error.empty()) return error;
  }
  return "";
}

TEST(XmlStream, StanzasSplitAcrossReadsAndSeveralPerRead) {
  const std::string text = std::string(kHeader) +
                           "<message id='1'><body>seq=1 a&amp;b</body></message>"
                           "<a xmlns='urn:xmpp:sm:3' h='7'/> <r xmlns='urn:xmpp:sm:3'/>"
                           "<message id='2'><body>two</body></message></stream:stream>";
  for (size_t piece : {size_t{1}, size_t{7}, size_t{4096}}) {
    Recorder r;
    XmlStream xml(&r, 1 << 20);
    r.stream = &xml;
    EXPECT_EQ(Feed(xml, text, piece), "") << piece;
    EXPECT_EQ(r.stanzas,
              (std::vector<std::string>{"message id=1 seq=1 a&b", "a", "r", "message id=2 two"}))
        << piece;
    EXPECT_TRUE(r.ended);
  }
}

TEST(XmlStream, ChildrenAttributesAndNamespaces) {
  struct Inspect : XmlStream::Handler {
    void OnStanza(const XmlStanza& st) override {
      const size_t received = st.Child(0, "received", "urn:xmpp:receipts");
      ASSERT_NE(received, XmlStanza::kNone);
      EXPECT_EQ(st.Attr(received, "id"), "42");
      EXPECT_EQ(st.Child(0, "received", "other:ns"), XmlStanza::kNone);
      EXPECT_EQ(st.Parent(received), 0u);
      EXPECT_EQ(st.Attr(0, "from"), "bob@localhost/x");
      EXPECT_EQ(st.Attr(0, "missing"), "");
      seen++;
    }
    void OnStreamEnd() override {}
    int seen = 0;
  } inspect;
  XmlStream xml(&inspect, 1 << 20);
  EXPECT_EQ(Feed(xml,
                 std::string(kHeader) +
                     "<message from='bob@localhost/x'><x/><received xmlns='urn:xmpp:receipts' "
                     "id='42'/></message>",
                 5),
            "");
  EXPECT_EQ(inspect.seen, 1);
}

TEST(XmlStream, RestartsTheDocumentAfterSaslSuccess) {
  Recorder r;
  XmlStream xml(&r, 1 << 20);
  r.stream = &xml;
  EXPECT_EQ(
      Feed(xml, std::string(kHeader) + "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>", 4096),
      "");
  // A second header (and XML declaration) is only well-formed in a new document.
  EXPECT_EQ(Feed(xml, std::string(kHeader) + "<stream:features><bind/></stream:features>", 3), "");
  EXPECT_EQ(r.stanzas, (std::vector<std::string>{"success", "stream:features "}));
}

TEST(XmlStream, RefusesAStanzaOverTheCap) {
  Recorder r;
  XmlStream xml(&r, 1000);
  r.stream = &xml;
  const std::string big = std::string(kHeader) + "<message><body>" + std::string(5000, 'x');
  EXPECT_NE(Feed(xml, big, 512).find("over 1000 bytes"), std::string::npos);
  EXPECT_EQ(xml.Buffer(10), nullptr);  // unusable from then on
}

TEST(XmlStream, ManySmallStanzasStayUnderTheCap) {
  Recorder r;
  XmlStream xml(&r, 1000);
  r.stream = &xml;
  std::string text = kHeader;
  for (int i = 0; i < 200; ++i) text += "<r xmlns='urn:xmpp:sm:3'/> ";
  EXPECT_EQ(Feed(xml, text, 333), "");
  EXPECT_EQ(r.stanzas.size(), 200u);
}

TEST(XmlStream, RefusesMalformedXmlAndDtds) {
  Recorder r;
  XmlStream xml(&r, 1 << 20);
  EXPECT_NE(Feed(xml, std::string(kHeader) + "<message></iq>", 4096), "");
  Recorder r2;
  XmlStream dtd(&r2, 1 << 20);
  EXPECT_NE(Feed(dtd, "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x/>", 4096).find("DTD"),
            std::string::npos);
}

}  // namespace
}  // namespace relayer::bench
