#include "fault_vfs.hpp"

#include <cstddef>
#include <cstring>
#include <mutex>

#include <sqlite3.h>

namespace actionlog::testing {
namespace {

constexpr int kWalWriteLock = 0;  // WAL_WRITE_LOCK: the first shared-memory lock slot

struct FaultState {
  std::mutex mu;
  bool armed = false;
  FaultRule rule;
  std::int64_t matches = 0;
  std::int64_t injected = 0;
};

FaultState& State() {
  static FaultState state;
  return state;
}

// The shim's file: our header, then the real file's storage (szOsFile of the base VFS).
struct FaultFile {
  sqlite3_file base;
  FaultTarget kind;
  sqlite3_file* real;
};

// The real file starts at this offset, aligned for any type.
constexpr std::size_t kHeader = (sizeof(FaultFile) + alignof(std::max_align_t) - 1) /
                                alignof(std::max_align_t) * alignof(std::max_align_t);

sqlite3_vfs* g_base = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

// Returns the code to fail with, or SQLITE_OK to let the call through.
int Check(FaultOp op, const FaultFile* file) {
  FaultState& s = State();
  const std::lock_guard<std::mutex> lock(s.mu);
  if (!s.armed || s.rule.op != op ||
      (s.rule.target != FaultTarget::kAny && s.rule.target != file->kind)) {
    return SQLITE_OK;
  }
  const std::int64_t n = s.matches++;
  if (n < s.rule.skip || (s.rule.times >= 0 && n >= s.rule.skip + s.rule.times)) {
    return SQLITE_OK;
  }
  ++s.injected;
  return s.rule.rc;
}

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }

int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }

int Read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  return Real(f)->pMethods->xRead(Real(f), buf, amount, offset);
}

int Write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  const int rc = Check(FaultOp::kWrite, reinterpret_cast<FaultFile*>(f));
  if (rc != SQLITE_OK) {
    return rc;
  }
  return Real(f)->pMethods->xWrite(Real(f), buf, amount, offset);
}

int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}

int Sync(sqlite3_file* f, int flags) {
  const int rc = Check(FaultOp::kSync, reinterpret_cast<FaultFile*>(f));
  if (rc != SQLITE_OK) {
    return rc;
  }
  return Real(f)->pMethods->xSync(Real(f), flags);
}

int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}

int Lock(sqlite3_file* f, int level) {
  const int rc = Check(FaultOp::kLock, reinterpret_cast<FaultFile*>(f));
  if (rc != SQLITE_OK) {
    return rc;
  }
  return Real(f)->pMethods->xLock(Real(f), level);
}

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

int ShmMap(sqlite3_file* f, int region, int size, int extend, volatile void** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}

int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  if (offset == kWalWriteLock && (flags & SQLITE_SHM_LOCK) != 0 &&
      (flags & SQLITE_SHM_EXCLUSIVE) != 0) {
    const int rc = Check(FaultOp::kShmLock, reinterpret_cast<FaultFile*>(f));
    if (rc != SQLITE_OK) {
      return rc;
    }
  }
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}

void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }

int ShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}

int Fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), offset, amount, out);
}

int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), offset, p);
}

int Open(sqlite3_vfs* /*vfs*/, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  auto* file = reinterpret_cast<FaultFile*>(f);
  file->base.pMethods = nullptr;
  file->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kHeader);
  file->kind = (flags & SQLITE_OPEN_MAIN_DB) != 0 ? FaultTarget::kMainDb
               : (flags & SQLITE_OPEN_WAL) != 0   ? FaultTarget::kWal
                                                  : FaultTarget::kAny;
  const int rc = g_base->xOpen(g_base, name, file->real, flags, out_flags);
  if (rc == SQLITE_OK && file->real->pMethods != nullptr) {
    file->base.pMethods = &g_methods;
  }
  return rc;
}

int Delete(sqlite3_vfs* /*vfs*/, const char* name, int sync_dir) {
  return g_base->xDelete(g_base, name, sync_dir);
}

int Access(sqlite3_vfs* /*vfs*/, const char* name, int flags, int* out) {
  return g_base->xAccess(g_base, name, flags, out);
}

int FullPathname(sqlite3_vfs* /*vfs*/, const char* name, int n, char* out) {
  return g_base->xFullPathname(g_base, name, n, out);
}

}  // namespace

bool InstallFaultVfs() {
  static const bool installed = [] {
    g_base = sqlite3_vfs_find(nullptr);
    if (g_base == nullptr) {
      return false;
    }
    g_vfs = *g_base;  // the other methods (randomness, time, dlopen, ...) stay the base's
    g_vfs.pNext = nullptr;
    g_vfs.zName = "actionlog-fault";
    g_vfs.szOsFile = static_cast<int>(kHeader) + g_base->szOsFile;
    g_vfs.xOpen = Open;
    g_vfs.xDelete = Delete;
    g_vfs.xAccess = Access;
    g_vfs.xFullPathname = FullPathname;

    std::memset(&g_methods, 0, sizeof(g_methods));
    g_methods.iVersion = 3;
    g_methods.xClose = Close;
    g_methods.xRead = Read;
    g_methods.xWrite = Write;
    g_methods.xTruncate = Truncate;
    g_methods.xSync = Sync;
    g_methods.xFileSize = FileSize;
    g_methods.xLock = Lock;
    g_methods.xUnlock = Unlock;
    g_methods.xCheckReservedLock = CheckReservedLock;
    g_methods.xFileControl = FileControl;
    g_methods.xSectorSize = SectorSize;
    g_methods.xDeviceCharacteristics = DeviceCharacteristics;
    g_methods.xShmMap = ShmMap;
    g_methods.xShmLock = ShmLock;
    g_methods.xShmBarrier = ShmBarrier;
    g_methods.xShmUnmap = ShmUnmap;
    g_methods.xFetch = Fetch;
    g_methods.xUnfetch = Unfetch;
    return sqlite3_vfs_register(&g_vfs, 1) == SQLITE_OK;
  }();
  return installed;
}

void ArmFault(const FaultRule& rule) {
  FaultState& s = State();
  const std::lock_guard<std::mutex> lock(s.mu);
  s.rule = rule;
  s.armed = true;
  s.matches = 0;
  s.injected = 0;
}

void DisarmFault() {
  FaultState& s = State();
  const std::lock_guard<std::mutex> lock(s.mu);
  s.armed = false;
}

std::int64_t FaultMatches() {
  FaultState& s = State();
  const std::lock_guard<std::mutex> lock(s.mu);
  return s.matches;
}

std::int64_t FaultsInjected() {
  FaultState& s = State();
  const std::lock_guard<std::mutex> lock(s.mu);
  return s.injected;
}

std::string FaultOpName(FaultOp op) {
  switch (op) {
    case FaultOp::kWrite:
      return "xWrite";
    case FaultOp::kSync:
      return "xSync";
    case FaultOp::kLock:
      return "xLock";
    case FaultOp::kShmLock:
      return "xShmLock";
  }
  return "?";
}

std::string FaultTargetName(FaultTarget target) {
  switch (target) {
    case FaultTarget::kAny:
      return "any";
    case FaultTarget::kMainDb:
      return "db";
    case FaultTarget::kWal:
      return "wal";
  }
  return "?";
}

}  // namespace actionlog::testing
