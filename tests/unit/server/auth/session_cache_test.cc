#include "server/auth/session_cache.h"

#include <gtest/gtest.h>

namespace relayer::server {
namespace {

Session MakeSession(const std::string& token, TimeMs expires_at) {
  Session s;
  s.token = SessionToken(token);
  s.app_id = AppId("app");
  s.user_id = UserId("alice");
  s.expires_at = expires_at;
  return s;
}

TEST(SessionCache, FindsWhatWasPutUntilTheTtlPasses) {
  SessionCache cache(10, 1000);
  cache.Put(MakeSession("t1", 1'000'000), 5000);
  ASSERT_TRUE(cache.Find("t1", 5999).has_value());
  EXPECT_EQ(cache.Find("t1", 5999)->user_id.str(), "alice");
  EXPECT_FALSE(cache.Find("t1", 6000).has_value());
  EXPECT_FALSE(cache.Find("t2", 5000).has_value());
}

TEST(SessionCache, NeverOutlivesTheSessionsExpiry) {
  SessionCache cache(10, 60000);
  cache.Put(MakeSession("t1", 5100), 5000);
  EXPECT_TRUE(cache.Find("t1", 5099).has_value());
  EXPECT_FALSE(cache.Find("t1", 5100).has_value());
}

TEST(SessionCache, EraseForgetsAtOnce) {
  SessionCache cache(10, 60000);
  cache.Put(MakeSession("t1", 1'000'000), 0);
  cache.Erase("t1");
  EXPECT_FALSE(cache.Find("t1", 1).has_value());
}

TEST(SessionCache, StaysWithinItsCapacity) {
  SessionCache cache(3, 60000);
  for (int i = 0; i < 10; ++i) cache.Put(MakeSession("t" + std::to_string(i), 1'000'000), 0);
  int found = 0;
  for (int i = 0; i < 10; ++i) found += cache.Find("t" + std::to_string(i), 1).has_value();
  EXPECT_LE(found, 3);
  EXPECT_TRUE(cache.Find("t9", 1).has_value());  // the newest is always there
}

TEST(SessionCache, ZeroCapacityCachesNothing) {
  SessionCache cache(0, 60000);
  cache.Put(MakeSession("t1", 1'000'000), 0);
  EXPECT_FALSE(cache.Find("t1", 1).has_value());
}

}  // namespace
}  // namespace relayer::server
