#include "store/sqlite/page_cache.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>

namespace relayer::sqlite {
namespace {

// SQLite's default cache, taken before ours replaces it.
sqlite3_pcache_methods2 base_methods{};
std::atomic<uint64_t> truncates{0};
std::atomic<uint64_t> forwarded{0};

// The byte offset SQLite locks on (sqlite3PendingByte); its page never holds data, so SQLite
// borrows that page number as the spare slot when it swaps two pages' numbers.
constexpr uint64_t kPendingByte = 0x40000000;

// One per connection's cache; used by that connection only (SQLite calls the cache methods with
// its connection's mutex held, or from the one thread that owns a NOMUTEX connection).
struct Cache {
  sqlite3_pcache* base = nullptr;
  unsigned swap_slot = 0;  // the lock byte's page number for this page size
  unsigned max_key = 0;    // no page other than one in the swap slot has a larger number
  bool slot_held = false;  // a page sits in the swap slot
};

Cache* Of(sqlite3_pcache* p) { return reinterpret_cast<Cache*>(p); }

int Init(void*) { return base_methods.xInit(base_methods.pArg); }
void Shutdown(void*) {
  if (base_methods.xShutdown) base_methods.xShutdown(base_methods.pArg);
}

sqlite3_pcache* Create(int page_size, int extra, int purgeable) {
  auto* c = new (std::nothrow) Cache;
  if (c == nullptr) return nullptr;
  c->base = base_methods.xCreate(page_size, extra, purgeable);
  if (c->base == nullptr) {
    delete c;
    return nullptr;
  }
  c->swap_slot = page_size > 0 ? static_cast<unsigned>(kPendingByte / page_size + 1) : 0;
  return reinterpret_cast<sqlite3_pcache*>(c);
}

void Cachesize(sqlite3_pcache* p, int n) { base_methods.xCachesize(Of(p)->base, n); }
int Pagecount(sqlite3_pcache* p) { return base_methods.xPagecount(Of(p)->base); }

sqlite3_pcache_page* Fetch(sqlite3_pcache* p, unsigned key, int create) {
  Cache* c = Of(p);
  sqlite3_pcache_page* page = base_methods.xFetch(c->base, key, create);
  if (page != nullptr) c->max_key = std::max(c->max_key, key);
  return page;
}

void Unpin(sqlite3_pcache* p, sqlite3_pcache_page* page, int discard) {
  base_methods.xUnpin(Of(p)->base, page, discard);
}

void Rekey(sqlite3_pcache* p, sqlite3_pcache_page* page, unsigned old_key, unsigned new_key) {
  Cache* c = Of(p);
  base_methods.xRekey(c->base, page, old_key, new_key);
  if (new_key == c->swap_slot) {
    c->slot_held = true;
    return;
  }
  if (old_key == c->swap_slot) c->slot_held = false;
  c->max_key = std::max(c->max_key, new_key);
}

// Drops every page numbered `limit` or above.
void Truncate(sqlite3_pcache* p, unsigned limit) {
  Cache* c = Of(p);
  truncates.fetch_add(1, std::memory_order_relaxed);
  const bool slot_above = c->slot_held && c->swap_slot >= limit;
  if (c->max_key < limit && !slot_above) return;  // nothing there to drop
  forwarded.fetch_add(1, std::memory_order_relaxed);
  base_methods.xTruncate(c->base, limit);
  if (limit > 0) c->max_key = std::min(c->max_key, limit - 1);
  if (slot_above) c->slot_held = false;
}

void Destroy(sqlite3_pcache* p) {
  Cache* c = Of(p);
  base_methods.xDestroy(c->base);
  delete c;
}

void Shrink(sqlite3_pcache* p) {
  if (base_methods.xShrink) base_methods.xShrink(Of(p)->base);
}

}  // namespace

bool InstallPageCache() {
  static const bool installed = [] {
    if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &base_methods) != SQLITE_OK) return false;
    if (base_methods.xCreate == nullptr || base_methods.xTruncate == nullptr) return false;
    sqlite3_pcache_methods2 ours{};
    ours.iVersion = base_methods.iVersion;
    ours.xInit = Init;
    ours.xShutdown = Shutdown;
    ours.xCreate = Create;
    ours.xCachesize = Cachesize;
    ours.xPagecount = Pagecount;
    ours.xFetch = Fetch;
    ours.xUnpin = Unpin;
    ours.xRekey = Rekey;
    ours.xTruncate = Truncate;
    ours.xDestroy = Destroy;
    ours.xShrink = Shrink;
    return sqlite3_config(SQLITE_CONFIG_PCACHE2, &ours) == SQLITE_OK;
  }();
  return installed;
}

PageCacheStats GetPageCacheStats() {
  return {truncates.load(std::memory_order_relaxed), forwarded.load(std::memory_order_relaxed)};
}

}  // namespace relayer::sqlite
