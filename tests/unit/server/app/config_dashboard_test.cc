// The config file: its [dashboard] table, the sync log retention in [limits], the group commit.
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

namespace relayer::server {
namespace {

TEST(ConfigFile, ReadsTheGroupCommitLingerAndRefusesANegativeOne) {
  auto path = WriteConfig("commit_linger_us = 250\nmax_batch = 64\n");
  ServerConfig c;
  Status s = LoadConfigFile(path, c);
  std::filesystem::remove(path);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(c.commit_linger_us, 250);
  EXPECT_EQ(c.max_batch, 64u);

  path = WriteConfig("commit_linger_us = -1\n");
  ServerConfig bad;
  s = LoadConfigFile(path, bad);
  std::filesystem::remove(path);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("commit_linger_us"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace relayer::server
