// Where the bytes of rich content live. The database knows what content exists (Store); a
// ContentStore holds the bytes: LocalContentStore keeps files under the data folder, and a cloud
// store (S3, GCS) could implement the same interface.
//
// Every call may block on disk or network: call them on the blocking pool, never on a network
// thread. A ContentStore is safe for concurrent use; one writer or reader is used by one thread
// at a time. Content is write-once: the caller (ContentService) makes sure that only one upload
// of an id is in flight at a time.
#pragma once

#include <cstdint>
#include <memory>

#include "core/ids.h"
#include "core/status.h"

namespace relayer::server {

// An upload in progress. Nothing is visible under the id until Commit succeeds; destroying an
// uncommitted writer discards what it wrote.
class ContentWriter {
 public:
  virtual ~ContentWriter() = default;
  virtual Status Write(const char* data, size_t size) = 0;
  // Makes the bytes durable and visible under the id (replacing leftovers of a crashed upload).
  virtual Status Commit() = 0;
};

// Sequential reads from an offset.
class ContentReader {
 public:
  virtual ~ContentReader() = default;
  // Up to `size` bytes into `buf`; 0 at the end.
  virtual Result<size_t> Read(char* buf, size_t size) = 0;
};

class ContentStore {
 public:
  virtual ~ContentStore() = default;
  virtual Result<std::unique_ptr<ContentWriter>> BeginWrite(const ContentId& id) = 0;
  // kNotFound when no committed bytes exist under the id.
  virtual Result<std::unique_ptr<ContentReader>> OpenRead(const ContentId& id, uint64_t offset) = 0;
};

}  // namespace relayer::server
