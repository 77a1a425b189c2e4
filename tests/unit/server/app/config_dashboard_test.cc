// The config file's [dashboard] table and the sync log retention in [limits].
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "server/app/config.h"

namespace relayer::server {
namespace {

std::string WriteConfig(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("relayer-config-" + std::to_string(std::rand()) + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

TEST(ConfigFile, ReadsDashboardSettingsAndSyncLogRetention) {
  auto path = WriteConfig(R"(
[limits]
sync_log_max_age_seconds = 60
sync_log_max_rows = 0
[dashboard]
enabled = false
max_wait_seconds = 5
max_waiting_requests = 7
max_page_size = 9
max_messages = 3
)");
  ServerConfig c;
  Status s = LoadConfigFile(path, c);
  std::filesystem::remove(path);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(c.limits.sync_log_max_age_ms, 60000);
  EXPECT_EQ(c.limits.sync_log_max_rows, 0u);
  EXPECT_FALSE(c.dashboard.enabled);
  EXPECT_EQ(c.dashboard.max_wait_seconds, 5u);
  EXPECT_EQ(c.dashboard.max_waiting, 7u);
  EXPECT_EQ(c.dashboard.max_page_size, 9u);
  EXPECT_EQ(c.dashboard.max_messages, 3u);
}

TEST(ConfigFile, DashboardTyposAndBadValuesAreErrors) {
  for (const char* text : {"[dashboard]\nmax_wait = 5\n", "[dashboard]\nenabled = 1\n",
                           "[dashboard]\nmax_waiting_requests = -1\n"}) {
    auto path = WriteConfig(text);
    ServerConfig c;
    Status s = LoadConfigFile(path, c);
    std::filesystem::remove(path);
    EXPECT_FALSE(s.ok()) << text;
  }
}

}  // namespace
}  // namespace relayer::server
