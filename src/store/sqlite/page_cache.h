// SQLite's own page cache, behind a thin wrapper that skips the needless walks of it at commit.
//
// At the end of every transaction SQLite asks the page cache to drop the pages past the end of
// the database. SQLite's cache keeps the largest page number it has ever held, and walks its whole
// hash table whenever that number is far past the end. A b-tree page split that reorders its
// sibling pages swaps their numbers through the one page number that never holds data (the page
// of the lock byte, 262,145 with 4 KB pages), so after almost every write that number is far past
// the end, and each commit walked every page in the cache (~5% of the server's CPU in S1 with a
// cache of 64 MB). The wrapper tracks a bound on the page numbers the cache can hold, leaving out
// that swap slot while it is empty, and forwards the drop only when a page can be past the end.
#pragma once

#include <cstdint>

namespace relayer::sqlite {

// Installs the wrapper around SQLite's default page cache. Takes effect only before SQLite
// initializes (the process's first open); later calls change nothing. Returns whether the
// wrapper is in place. Thread-safe.
bool InstallPageCache();

// Counts since the process started, for tests: drops SQLite asked for, and those that reached
// SQLite's cache (the rest held no page to drop).
struct PageCacheStats {
  uint64_t truncates = 0;
  uint64_t forwarded = 0;
};
PageCacheStats GetPageCacheStats();

}  // namespace relayer::sqlite
