// The chat's line editor and wrapping (apps/chat_screen.cc), without a terminal.
#include "chat_screen.h"

#include <gtest/gtest.h>

namespace relayer::apps {
namespace {

LineEditor::Key FeedAll(LineEditor& e, const std::string& bytes) {
  LineEditor::Key last = LineEditor::Key::kNone;
  for (char c : bytes) last = e.Feed(c);
  return last;
}

TEST(LineEditor, EnterSubmitsTheTypedLineAndClearsIt) {
  LineEditor e;
  EXPECT_EQ(FeedAll(e, "hello"), LineEditor::Key::kEdited);
  EXPECT_EQ(e.Feed('\r'), LineEditor::Key::kSubmit);
  EXPECT_EQ(e.Take(), "hello");
  EXPECT_EQ(e.text(), "");
}

TEST(LineEditor, BackspaceRemovesOneWholeUtf8Character) {
  LineEditor e;
  FeedAll(e, "caf\xc3\xa9");  // "café"
  e.Feed(127);
  EXPECT_EQ(e.text(), "caf");
}

TEST(LineEditor, ArrowKeysAndOtherEscapeSequencesAreIgnored) {
  LineEditor e;
  FeedAll(e, "a\x1b[Ab\x1b[1;5Cc\x1bOPd");
  EXPECT_EQ(e.text(), "abcd");
}

TEST(LineEditor, CtrlUClearsAndCtrlDQuitsOnlyOnAnEmptyLine) {
  LineEditor e;
  FeedAll(e, "draft");
  EXPECT_EQ(e.Feed(4), LineEditor::Key::kNone);
  EXPECT_EQ(e.Feed(21), LineEditor::Key::kEdited);
  EXPECT_EQ(e.text(), "");
  EXPECT_EQ(e.Feed(4), LineEditor::Key::kQuit);
}

TEST(WrapLine, SplitsByCodePointsNotBytes) {
  auto lines = WrapLine(
      "ab\xe2\x9c\x93\xe2\x9c\x93"
      "cd",
      3);  // "ab✓✓cd"
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "ab\xe2\x9c\x93");
  EXPECT_EQ(lines[1],
            "\xe2\x9c\x93"
            "cd");
  EXPECT_EQ(WrapLine("", 10), std::vector<std::string>{""});
}

}  // namespace
}  // namespace relayer::apps
