#include "store/sqlite/wal_batch_vfs.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

namespace actionlog::store::sqlite {
namespace {

// Buffered bytes per WAL file before they are written out early (a batch of 64 journal writes is
// ~2.5 MB of frames; larger transactions are written in several chunks).
constexpr std::size_t kBufferCap = std::size_t{4} << 20;

// The most one xWrite is given: the unix VFS writes at most 0x1ffff bytes per pwrite call (and
// reports a larger write as "disk full" when that mask leaves nothing), so 124 KiB per call.
constexpr std::size_t kWriteChunk = std::size_t{124} << 10;

// The sqlite3_file of a WAL opened through the shim: ours first, the real file after it.
struct BatchFile {
  sqlite3_file base;  // must stay first: SQLite sees a BatchFile* as a sqlite3_file*
  std::vector<char> buffer;
  sqlite3_int64 buffer_offset = 0;
};

constexpr std::size_t kRealOffset = (sizeof(BatchFile) + alignof(std::max_align_t) - 1) /
                                    alignof(std::max_align_t) * alignof(std::max_align_t);

BatchFile* Batch(sqlite3_file* f) { return reinterpret_cast<BatchFile*>(f); }

sqlite3_file* Real(sqlite3_file* f) {
  return reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kRealOffset);
}

sqlite3_vfs* Base(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

// Writes the buffered bytes. On failure they are dropped: SQLite treats the write as failed and
// the frames as never written (it rewrites or ignores them), exactly as after a failed xWrite.
int Flush(sqlite3_file* f) {
  BatchFile* b = Batch(f);
  if (b->buffer.empty()) {
    return SQLITE_OK;
  }
  sqlite3_file* real = Real(f);
  int rc = SQLITE_OK;
  for (std::size_t done = 0; done < b->buffer.size() && rc == SQLITE_OK; done += kWriteChunk) {
    const std::size_t n = std::min(kWriteChunk, b->buffer.size() - done);
    rc = real->pMethods->xWrite(real, b->buffer.data() + done, static_cast<int>(n),
                                b->buffer_offset + static_cast<sqlite3_int64>(done));
  }
  b->buffer.clear();
  return rc;
}

int Close(sqlite3_file* f) {
  const int flushed = Flush(f);
  sqlite3_file* real = Real(f);
  const int rc = real->pMethods->xClose(real);
  Batch(f)->~BatchFile();
  return flushed != SQLITE_OK ? flushed : rc;
}

int Read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  if (const int rc = Flush(f); rc != SQLITE_OK) {
    return rc;
  }
  return Real(f)->pMethods->xRead(Real(f), out, amount, offset);
}

int Write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  BatchFile* b = Batch(f);
  const auto* bytes = static_cast<const char*>(data);
  const auto size = static_cast<std::size_t>(amount);
  if (!b->buffer.empty()) {
    const sqlite3_int64 end = b->buffer_offset + static_cast<sqlite3_int64>(b->buffer.size());
    if (offset >= b->buffer_offset && offset + amount <= end) {  // rewrites a buffered frame
      std::memcpy(b->buffer.data() + (offset - b->buffer_offset), bytes, size);
      return SQLITE_OK;
    }
    if (offset == end && b->buffer.size() + size <= kBufferCap) {  // the next frame: append
      b->buffer.insert(b->buffer.end(), bytes, bytes + size);
      return SQLITE_OK;
    }
    if (const int rc = Flush(f); rc != SQLITE_OK) {
      return rc;
    }
  }
  if (size > kWriteChunk) {  // larger than one chunk: as SQLite asked (it never does for a WAL)
    return Real(f)->pMethods->xWrite(Real(f), data, amount, offset);
  }
  if (b->buffer.capacity() == 0) {
    b->buffer.reserve(std::size_t{256} << 10);
  }
  b->buffer.assign(bytes, bytes + size);
  b->buffer_offset = offset;
  return SQLITE_OK;
}

int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (const int rc = Flush(f); rc != SQLITE_OK) {
    return rc;
  }
  return Real(f)->pMethods->xTruncate(Real(f), size);
}

int Sync(sqlite3_file* f, int flags) {
  if (const int rc = Flush(f); rc != SQLITE_OK) {
    return rc;
  }
  return Real(f)->pMethods->xSync(Real(f), flags);
}

int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  if (const int rc = Flush(f); rc != SQLITE_OK) {
    return rc;
  }
  return Real(f)->pMethods->xFileSize(Real(f), size);
}

int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }

int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }

int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}

int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}

int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }

int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}

// A WAL file is never memory-mapped nor given shared memory: version 1 methods suffice.
const sqlite3_io_methods kWalMethods = {
    1,
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
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  sqlite3_vfs* base = Base(vfs);
  if ((flags & SQLITE_OPEN_WAL) == 0) {  // everything but the WAL: the real file, unwrapped
    return base->xOpen(base, name, f, flags, out_flags);
  }
  auto* batch = new (f) BatchFile{};
  batch->base.pMethods = nullptr;
  sqlite3_file* real = Real(f);
  std::memset(real, 0, static_cast<std::size_t>(base->szOsFile));
  const int rc = base->xOpen(base, name, real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (real->pMethods != nullptr) {
      real->pMethods->xClose(real);
    }
    batch->~BatchFile();
    f->pMethods = nullptr;
    return rc;
  }
  batch->base.pMethods = &kWalMethods;
  return SQLITE_OK;
}

// Everything else goes to the underlying VFS with its own sqlite3_vfs*.
int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return Base(vfs)->xDelete(Base(vfs), name, sync_dir);
}

int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Base(vfs)->xAccess(Base(vfs), name, flags, out);
}

int FullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return Base(vfs)->xFullPathname(Base(vfs), name, n, out);
}

void* DlOpen(sqlite3_vfs* vfs, const char* name) { return Base(vfs)->xDlOpen(Base(vfs), name); }

void DlError(sqlite3_vfs* vfs, int n, char* out) { Base(vfs)->xDlError(Base(vfs), n, out); }

void (*DlSym(sqlite3_vfs* vfs, void* handle, const char* symbol))() {
  return Base(vfs)->xDlSym(Base(vfs), handle, symbol);
}

void DlClose(sqlite3_vfs* vfs, void* handle) { Base(vfs)->xDlClose(Base(vfs), handle); }

int Randomness(sqlite3_vfs* vfs, int n, char* out) {
  return Base(vfs)->xRandomness(Base(vfs), n, out);
}

int Sleep(sqlite3_vfs* vfs, int micros) { return Base(vfs)->xSleep(Base(vfs), micros); }

int CurrentTime(sqlite3_vfs* vfs, double* out) { return Base(vfs)->xCurrentTime(Base(vfs), out); }

int GetLastError(sqlite3_vfs* vfs, int n, char* out) {
  return Base(vfs)->xGetLastError(Base(vfs), n, out);
}

int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return Base(vfs)->xCurrentTimeInt64(Base(vfs), out);
}

struct Shim {
  std::string name;
  sqlite3_vfs vfs{};
};

Shim* MakeShim(sqlite3_vfs* base) {
  auto* shim = new Shim{};  // registered for the life of the process, never freed
  shim->name = std::string("actionlog-wal-batch-") + (base->zName != nullptr ? base->zName : "");
  sqlite3_vfs& v = shim->vfs;
  v.iVersion = base->iVersion >= 2 && base->xCurrentTimeInt64 != nullptr ? 2 : 1;
  v.szOsFile = static_cast<int>(kRealOffset) + base->szOsFile;
  v.mxPathname = base->mxPathname;
  v.zName = shim->name.c_str();
  v.pAppData = base;
  v.xOpen = Open;
  v.xDelete = Delete;
  v.xAccess = Access;
  v.xFullPathname = FullPathname;
  v.xDlOpen = DlOpen;
  v.xDlError = DlError;
  v.xDlSym = DlSym;
  v.xDlClose = DlClose;
  v.xRandomness = Randomness;
  v.xSleep = Sleep;
  v.xCurrentTime = CurrentTime;
  v.xGetLastError = GetLastError;
  v.xCurrentTimeInt64 = v.iVersion >= 2 ? CurrentTimeInt64 : nullptr;
  if (sqlite3_vfs_register(&v, 0) != SQLITE_OK) {
    delete shim;
    return nullptr;
  }
  return shim;
}

}  // namespace

const char* WalBatchVfsName() {
  static std::mutex mu;
  static std::map<sqlite3_vfs*, Shim*> shims;
  sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
  if (base == nullptr) {
    return nullptr;
  }
  const std::lock_guard<std::mutex> lock(mu);
  auto it = shims.find(base);
  if (it == shims.end()) {
    it = shims.emplace(base, MakeShim(base)).first;
  }
  return it->second != nullptr ? it->second->vfs.zName : nullptr;
}

}  // namespace actionlog::store::sqlite
