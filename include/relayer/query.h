// Queries with paging: one page per call, the next page named by the last item's id (Layer's
// `from_id`). Results are live handles (see conversation.h, message.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace relayer::sdk {

struct QueryOptions {
  int page_size = 50;  // 1..100 (Layer's maximum)
  std::string from_id =
      {};  // items after this id; empty for the first page (QueryPage::next_from_id)
  // Conversations only: "created_at" (newest first) or "last_message".
  std::string sort_by = "created_at";
};

template <typename T>
struct QueryPage {
  std::vector<T> items;  // conversations newest first; messages newest first (as Layer pages)
  int64_t total = 0;     // all items on the server (Layer-Count)
  // Pass as QueryOptions::from_id; empty when this was the last page (the SDK asks the server
  // for one item more than page_size to know; at page_size 100 a last page may come back empty).
  std::string next_from_id;
  bool hasMore() const { return !next_from_id.empty(); }
};

}  // namespace relayer::sdk
