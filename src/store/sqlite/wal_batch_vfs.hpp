// A VFS shim that turns the many small writes SQLite makes to a WAL file into one large write.
//
// SQLite appends a transaction to the WAL one frame at a time, and each frame as two writes (a
// 24-byte header and the page), so a journal write touching 9 pages costs ~19 pwrite calls before
// its fsync. This shim keeps the contiguous WAL writes of a connection in memory and hands them
// to the real VFS as one write at the next xSync, xRead, xTruncate, xFileSize or xClose of that
// file (or when the buffer is full). Other files (database, -shm, journals) are opened directly on
// the underlying VFS with their own methods: no indirection.
//
// Why it is safe: with `synchronous=FULL` SQLite calls xSync on the WAL before it publishes a
// commit in the WAL index, so no other connection can read a frame that is still buffered, and a
// write that is still buffered is one SQLite has not yet asked to be durable (a crash loses it
// exactly like the page cache would; SQLite's frame checksums discard a torn tail on recovery).
// It must therefore be used only by connections running with `synchronous=FULL`.
#pragma once

#include <sqlite3.h>

namespace actionlog::store::sqlite {

// The name of the shim over SQLite's current default VFS, registered (not as the default) on
// first use for that VFS. nullptr if registration failed (callers then use the default VFS).
const char* WalBatchVfsName();

}  // namespace actionlog::store::sqlite
