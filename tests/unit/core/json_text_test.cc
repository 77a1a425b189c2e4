#include "core/json_text.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace relayer {
namespace {

TEST(AppendJsonString, EscapesAsBoostJsonDoes) {
  for (std::string s :
       {std::string("plain"), std::string("quote \" and \\ back"), std::string("\n\r\t\b\f"),
        std::string("\x01\x1f ctl", 6), std::string("nul \0 inside", 12),
        std::string("utf-8 \xc3\xa9\xe2\x82\xac"), std::string()}) {
    std::string out;
    AppendJsonString(out, s);
    EXPECT_EQ(out, boost::json::serialize(boost::json::string_view(s)));
    EXPECT_EQ(boost::json::parse(out).as_string(), s);
  }
}

TEST(AppendJsonString, FindsAnEscapeAtEveryPositionOfALongString) {
  for (char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
    for (size_t at = 0; at < 40; ++at) {
      std::string s(40, 'a');
      s[at] = special;
      s[39 - at / 2] = '\xe9';  // bytes above 0x7f pass through
      std::string out;
      AppendJsonString(out, s);
      EXPECT_EQ(out, boost::json::serialize(boost::json::string_view(s))) << at;
    }
  }
}

TEST(AppendJsonInt, WritesSignedIntegers) {
  std::string out;
  AppendJsonInt(out, 0);
  out += ',';
  AppendJsonInt(out, -42);
  out += ',';
  AppendJsonInt(out, INT64_MAX);
  EXPECT_EQ(out, "0,-42,9223372036854775807");
}

}  // namespace
}  // namespace relayer
