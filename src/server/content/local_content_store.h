// ContentStore on the local file system: <root>/<first two hex digits of the id>/<id>, written
// to <root>/tmp/ and renamed into place on commit (so an aborted upload leaves nothing visible).
// Thread-safe like every ContentStore.
#pragma once

#include <string>

#include "server/content/content_store.h"

namespace relayer::server {

class LocalContentStore final : public ContentStore {
 public:
  // Creates `root` (and root/tmp) when missing and removes leftover temp files of uploads that
  // a previous run did not finish.
  static Result<std::unique_ptr<LocalContentStore>> Open(const std::string& root);

  Result<std::unique_ptr<ContentWriter>> BeginWrite(const ContentId& id) override;
  Result<std::unique_ptr<ContentReader>> OpenRead(const ContentId& id, uint64_t offset) override;

 private:
  explicit LocalContentStore(std::string root) : root_(std::move(root)) {}
  std::string PathOf(const ContentId& id) const;

  std::string root_;
};

}  // namespace relayer::server
