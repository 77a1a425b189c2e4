// A SQLite VFS over the default one that gathers the writes of a write-ahead log into one buffer
// and hands them to the kernel in one pwrite when SQLite syncs the log (at every commit, since
// the store runs synchronous=FULL). SQLite writes each WAL frame as two pwrites (24-byte header,
// then the page); a group commit of a few hundred pages became hundreds of syscalls.
// Readers see nothing new before the sync either way: SQLite publishes a commit's frames in the
// WAL index only after the log is synced, and a read of the buffered range flushes it first.
// Every other file (the database, its shared-memory index) goes straight to the default VFS.
#pragma once

namespace relayer::sqlite {

// Registers the VFS once (thread-safe) and returns its name, for sqlite3_open_v2. nullptr when
// registration failed (then the default VFS is used).
const char* WalBatchVfsName();

}  // namespace relayer::sqlite
