#include "server/content/local_content_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "server/auth/crypto.h"

namespace relayer::server {
namespace {

namespace fs = std::filesystem;

class LocalContentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("relayer-content-" + RandomUuid());
    auto opened = LocalContentStore::Open(root_.string());
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(*opened);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string ReadAll(const ContentId& id, uint64_t offset = 0) {
    auto reader = store_->OpenRead(id, offset);
    EXPECT_TRUE(reader.ok()) << reader.status().message();
    if (!reader.ok()) return "";
    std::string out;
    char buf[7];  // odd-sized, so reads take several turns
    for (;;) {
      auto n = (*reader)->Read(buf, sizeof buf);
      EXPECT_TRUE(n.ok());
      if (!n.ok() || *n == 0) break;
      out.append(buf, *n);
    }
    return out;
  }

  fs::path root_;
  std::unique_ptr<LocalContentStore> store_;
};

TEST_F(LocalContentStoreTest, CommittedBytesReadBackFromAnyOffset) {
  ContentId id(RandomUuid());
  auto w = store_->BeginWrite(id);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write("hello ", 6).ok());
  ASSERT_TRUE((*w)->Write("world", 5).ok());
  EXPECT_EQ(store_->OpenRead(id, 0).status().code(), ErrorCode::kNotFound);  // not yet visible
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_EQ(ReadAll(id), "hello world");
  EXPECT_EQ(ReadAll(id, 6), "world");
  EXPECT_TRUE(fs::is_empty(root_ / "tmp"));
}

TEST_F(LocalContentStoreTest, AnUncommittedWriteLeavesNothing) {
  ContentId id(RandomUuid());
  {
    auto w = store_->BeginWrite(id);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write("partial", 7).ok());
  }
  EXPECT_EQ(store_->OpenRead(id, 0).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(fs::is_empty(root_ / "tmp"));
}

TEST_F(LocalContentStoreTest, OpeningClearsLeftoverTempFilesAndRefusesNonUuids) {
  {
    auto w = store_->BeginWrite(ContentId(RandomUuid()));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write("x", 1).ok());
    // A crash: reopen while the temp file exists.
    auto again = LocalContentStore::Open(root_.string());
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(fs::is_empty(root_ / "tmp"));
  }
  EXPECT_FALSE(store_->BeginWrite(ContentId("../../etc/passwd")).ok());
  EXPECT_EQ(store_->OpenRead(ContentId("../relayer.db"), 0).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace relayer::server
