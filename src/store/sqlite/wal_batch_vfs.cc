#include "store/sqlite/wal_batch_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <mutex>
#include <new>
#include <string>

namespace relayer::sqlite {
namespace {

// A commit larger than this goes out in several writes (it still saves most syscalls).
constexpr size_t kMaxBuffered = 4 << 20;
// The unix VFS writes at most 128 KB - 1 per call (it masks larger counts): flush in pieces.
constexpr size_t kMaxWrite = 64 << 10;
// A buffer that grew past this is released after its flush.
constexpr size_t kKeepBuffer = 256 << 10;

sqlite3_vfs* base_vfs = nullptr;
sqlite3_vfs wal_batch_vfs;
sqlite3_io_methods wal_methods;

// Our part of the file object SQLite allocates (szOsFile bytes); the base VFS's file follows it.
struct WalFile {
  sqlite3_file base;
  sqlite3_file* real = nullptr;
  std::string pending;  // bytes for offsets [pending_at, pending_at + size)
  sqlite3_int64 pending_at = 0;
};

constexpr size_t kRealOffset = (sizeof(WalFile) + 15) / 16 * 16;

WalFile* Of(sqlite3_file* f) { return reinterpret_cast<WalFile*>(f); }
const sqlite3_io_methods& Real(WalFile* f) { return *f->real->pMethods; }

int Flush(WalFile* f) {
  int rc = SQLITE_OK;
  for (size_t done = 0; done < f->pending.size() && rc == SQLITE_OK; done += kMaxWrite) {
    const size_t n = std::min(kMaxWrite, f->pending.size() - done);
    rc = Real(f).xWrite(f->real, f->pending.data() + done, static_cast<int>(n),
                        f->pending_at + static_cast<sqlite3_int64>(done));
  }
  f->pending.clear();
  if (f->pending.capacity() > kKeepBuffer) std::string().swap(f->pending);
  return rc;
}

bool Overlaps(const WalFile* f, sqlite3_int64 at, int amount) {
  const auto end = f->pending_at + static_cast<sqlite3_int64>(f->pending.size());
  return !f->pending.empty() && at < end && at + amount > f->pending_at;
}

int Close(sqlite3_file* file) {
  WalFile* f = Of(file);
  const int flushed = Flush(f);
  const int closed = Real(f).xClose(f->real);
  f->~WalFile();
  return flushed != SQLITE_OK ? flushed : closed;
}

int Read(sqlite3_file* file, void* out, int amount, sqlite3_int64 at) {
  WalFile* f = Of(file);
  if (Overlaps(f, at, amount)) {
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  return Real(f).xRead(f->real, out, amount, at);
}

int Write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 at) {
  WalFile* f = Of(file);
  const char* bytes = static_cast<const char*>(data);
  const auto size = static_cast<size_t>(amount);
  const auto end = f->pending_at + static_cast<sqlite3_int64>(f->pending.size());
  if (!f->pending.empty() && at == end && f->pending.size() + size <= kMaxBuffered) {
    f->pending.append(bytes, size);  // the common case: the next frame of this commit
    return SQLITE_OK;
  }
  // Anything else (a rewrite of the header, a jump): what is buffered goes first, in order.
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  f->pending.assign(bytes, size);
  f->pending_at = at;
  return size >= kMaxBuffered ? Flush(f) : SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  WalFile* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f).xTruncate(f->real, size);
}

int Sync(sqlite3_file* file, int flags) {
  WalFile* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f).xSync(f->real, flags);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  WalFile* f = Of(file);
  const int rc = Real(f).xFileSize(f->real, size);
  if (rc == SQLITE_OK && !f->pending.empty()) {
    *size = std::max<sqlite3_int64>(*size,
                                    f->pending_at + static_cast<sqlite3_int64>(f->pending.size()));
  }
  return rc;
}

int Lock(sqlite3_file* file, int level) { return Real(Of(file)).xLock(Of(file)->real, level); }
int Unlock(sqlite3_file* file, int level) { return Real(Of(file)).xUnlock(Of(file)->real, level); }
int CheckReservedLock(sqlite3_file* file, int* out) {
  return Real(Of(file)).xCheckReservedLock(Of(file)->real, out);
}
int FileControl(sqlite3_file* file, int op, void* arg) {
  return Real(Of(file)).xFileControl(Of(file)->real, op, arg);
}
int SectorSize(sqlite3_file* file) { return Real(Of(file)).xSectorSize(Of(file)->real); }
int DeviceCharacteristics(sqlite3_file* file) {
  return Real(Of(file)).xDeviceCharacteristics(Of(file)->real);
}
int ShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  return Real(Of(file)).xShmMap(Of(file)->real, region, size, extend, out);
}
int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  return Real(Of(file)).xShmLock(Of(file)->real, offset, n, flags);
}
void ShmBarrier(sqlite3_file* file) { Real(Of(file)).xShmBarrier(Of(file)->real); }
int ShmUnmap(sqlite3_file* file, int remove) {
  return Real(Of(file)).xShmUnmap(Of(file)->real, remove);
}
int Fetch(sqlite3_file* file, sqlite3_int64 at, int amount, void** out) {
  WalFile* f = Of(file);
  if (Overlaps(f, at, amount)) {
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  return Real(f).xFetch(f->real, at, amount, out);
}
int Unfetch(sqlite3_file* file, sqlite3_int64 at, void* p) {
  return Real(Of(file)).xUnfetch(Of(file)->real, at, p);
}

// Only write-ahead logs are wrapped; every other file is the base VFS's own object.
int Open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  if ((flags & SQLITE_OPEN_WAL) == 0) {
    return base_vfs->xOpen(base_vfs, name, file, flags, out_flags);
  }
  WalFile* f = new (file) WalFile();
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kRealOffset);
  f->real->pMethods = nullptr;
  const int rc = base_vfs->xOpen(base_vfs, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK || f->real->pMethods == nullptr) {
    f->~WalFile();
    file->pMethods = nullptr;
    return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
  }
  f->base.pMethods = &wal_methods;
  return SQLITE_OK;
}

// The rest of the VFS is the base one's, called with the base VFS object.
int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return base_vfs->xDelete(base_vfs, name, sync_dir);
}
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return base_vfs->xAccess(base_vfs, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return base_vfs->xFullPathname(base_vfs, name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return base_vfs->xDlOpen(base_vfs, name); }
void DlError(sqlite3_vfs*, int n, char* out) { base_vfs->xDlError(base_vfs, n, out); }
void (*DlSym(sqlite3_vfs*, void* lib, const char* sym))(void) {
  return base_vfs->xDlSym(base_vfs, lib, sym);
}
void DlClose(sqlite3_vfs*, void* lib) { base_vfs->xDlClose(base_vfs, lib); }
int Randomness(sqlite3_vfs*, int n, char* out) { return base_vfs->xRandomness(base_vfs, n, out); }
int Sleep(sqlite3_vfs*, int us) { return base_vfs->xSleep(base_vfs, us); }
int CurrentTime(sqlite3_vfs*, double* out) { return base_vfs->xCurrentTime(base_vfs, out); }
int GetLastError(sqlite3_vfs*, int n, char* out) {
  return base_vfs->xGetLastError(base_vfs, n, out);
}
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return base_vfs->xCurrentTimeInt64(base_vfs, out);
}

bool Register() {
  base_vfs = sqlite3_vfs_find(nullptr);
  if (base_vfs == nullptr || base_vfs->iVersion < 2) return false;
  wal_methods = sqlite3_io_methods{3,
                                   Close,
                                   Read,
                                   Write,
                                   Truncate,
                                   Sync,
                                   FileSize,
                                   Lock,
                                   Unlock,
                                   CheckReservedLock,
                                   FileControl,
                                   SectorSize,
                                   DeviceCharacteristics,
                                   ShmMap,
                                   ShmLock,
                                   ShmBarrier,
                                   ShmUnmap,
                                   Fetch,
                                   Unfetch};
  wal_batch_vfs = sqlite3_vfs{};
  wal_batch_vfs.iVersion = 2;
  wal_batch_vfs.szOsFile = static_cast<int>(kRealOffset) + base_vfs->szOsFile;
  wal_batch_vfs.mxPathname = base_vfs->mxPathname;
  wal_batch_vfs.zName = "relayer-wal-batch";
  wal_batch_vfs.xOpen = Open;
  wal_batch_vfs.xDelete = Delete;
  wal_batch_vfs.xAccess = Access;
  wal_batch_vfs.xFullPathname = FullPathname;
  wal_batch_vfs.xDlOpen = DlOpen;
  wal_batch_vfs.xDlError = DlError;
  wal_batch_vfs.xDlSym = DlSym;
  wal_batch_vfs.xDlClose = DlClose;
  wal_batch_vfs.xRandomness = Randomness;
  wal_batch_vfs.xSleep = Sleep;
  wal_batch_vfs.xCurrentTime = CurrentTime;
  wal_batch_vfs.xGetLastError = GetLastError;
  wal_batch_vfs.xCurrentTimeInt64 = CurrentTimeInt64;
  return sqlite3_vfs_register(&wal_batch_vfs, 0) == SQLITE_OK;
}

}  // namespace

const char* WalBatchVfsName() {
  static std::once_flag once;
  static bool registered = false;
  std::call_once(once, [] { registered = Register(); });
  return registered ? wal_batch_vfs.zName : nullptr;
}

}  // namespace relayer::sqlite
