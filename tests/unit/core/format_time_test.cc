// Layer's timestamps: UTC, milliseconds, "Z". The text up to the second is cached per thread, so
// consecutive times in and across seconds (and before 1970) must each come out right.
#include <gtest/gtest.h>

#include "core/representation.h"

namespace relayer {
namespace {

TEST(FormatTime, MillisecondsPaddedAndUtc) {
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTime(1764781200123), "2025-12-03T17:00:00.123Z");
  EXPECT_EQ(FormatTime(1764781200007), "2025-12-03T17:00:00.007Z");
  EXPECT_EQ(FormatTime(1764781200050), "2025-12-03T17:00:00.050Z");
}

TEST(FormatTime, ConsecutiveTimesAcrossSecondsAndDays) {
  // Same second twice, the next second, back to the first, then a day boundary.
  EXPECT_EQ(FormatTime(1764781200999), "2025-12-03T17:00:00.999Z");
  EXPECT_EQ(FormatTime(1764781201000), "2025-12-03T17:00:01.000Z");
  EXPECT_EQ(FormatTime(1764781200001), "2025-12-03T17:00:00.001Z");
  EXPECT_EQ(FormatTime(1764806399999), "2025-12-03T23:59:59.999Z");
  EXPECT_EQ(FormatTime(1764806400000), "2025-12-04T00:00:00.000Z");
}

TEST(FormatTime, BeforeTheEpochBorrowsASecond) {
  EXPECT_EQ(FormatTime(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTime(-1000), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(FormatTime(-1001), "1969-12-31T23:59:58.999Z");
}

}  // namespace
}  // namespace relayer
