#include "bench/xmpp_text.h"

#include <gtest/gtest.h>

#include <cstring>

namespace relayer::bench {
namespace {

TEST(XmppText, EscapesTheFiveXmlSpecialCharacters) {
  std::string out = "x";
  AppendEscaped(out, "a<b>&'\"c");
  EXPECT_EQ(out, "xa&lt;b&gt;&amp;&apos;&quot;c");
}

TEST(XmppText, Base64OfSaslPlainCredentials) {
  std::string out;
  AppendBase64(out, std::string("\0user\0password", 14));
  EXPECT_EQ(out, "AHVzZXIAcGFzc3dvcmQ=");
  for (const auto& [in, want] :
       {std::pair{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}}) {
    out.clear();
    AppendBase64(out, in);
    EXPECT_EQ(out, want) << in;
  }
}

TEST(XmppText, NumbersParseWholeOrNotAtAll) {
  std::string out;
  AppendUint(out, 0);
  AppendUint(out, 18446744073709551614u);
  EXPECT_EQ(out, "018446744073709551614");
  EXPECT_EQ(ParseUint("123"), 123u);
  EXPECT_EQ(ParseUint(""), kNotANumber);
  EXPECT_EQ(ParseUint("12a"), kNotANumber);
  EXPECT_EQ(ParseUint("rcpt-5"), kNotANumber);
  EXPECT_EQ(ParseUint("99999999999999999999"), kNotANumber);
  EXPECT_EQ(SeqFromBody("seq=77 conversation=3 xx"), 77u);
  EXPECT_EQ(SeqFromBody("hello"), kNotANumber);
  EXPECT_EQ(SeqFromBody("seq= 1"), kNotANumber);
}

}  // namespace
}  // namespace relayer::bench
