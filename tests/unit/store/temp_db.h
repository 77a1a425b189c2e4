// A fresh folder for one test's SQLite file, removed when the test ends, and connections to that
// file configured as the store configures its own (WAL, synchronous=FULL).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite/db.h"
#include "store/sqlite/schema.h"

namespace relayer::testing {

class TempDb {
 public:
  // The folder's name carries `prefix`, the test's name and the run's seed (parallel runs of the
  // suite do not meet).
  explicit TempDb(const std::string& prefix) {
    const auto* unit = ::testing::UnitTest::GetInstance();
    dir_ = std::filesystem::temp_directory_path() /
           (prefix + "-" + std::to_string(unit->random_seed()) + "-" +
            unit->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "t.db").string();
  }
  ~TempDb() { std::filesystem::remove_all(dir_); }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;

  const std::string& path() const { return path_; }

  std::unique_ptr<sqlite::Connection> Open() const {
    auto db = sqlite::Connection::Open(path_);
    EXPECT_TRUE(db.ok()) << db.status().message();
    if (!db.ok()) return nullptr;
    EXPECT_TRUE(sqlite::ConfigureConnection(**db).ok());
    return std::move(db).value();
  }

 private:
  std::filesystem::path dir_;
  std::string path_;
};

}  // namespace relayer::testing
