// A fault-injecting SQLite VFS for tests: a shim over the default (unix) VFS that forwards every
// call, except the ones an armed rule picks, which fail with a chosen result code.
//
// InstallFaultVfs() registers the shim as the default VFS of the process (once), so every
// connection opened afterwards — the store's writer and readers included — goes through it, and
// no product code knows. Rules are armed per test with Arm() and cleared with Disarm().
//
// Thread-safety: every function may be called from any thread; SQLite calls the shim from the
// threads that use its connections.
#pragma once

#include <cstdint>
#include <string>

namespace actionlog::testing {

// The file a rule applies to.
enum class FaultTarget : std::uint8_t { kAny, kMainDb, kWal };

// The VFS method a rule applies to.
enum class FaultOp : std::uint8_t {
  kWrite,    // xWrite
  kSync,     // xSync
  kLock,     // xLock, any level (in WAL mode a connection takes its SHARED lock once and
             // keeps it, so this only hits opening and closing)
  kShmLock,  // xShmLock taking WAL_WRITE_LOCK exclusively: only writers
};

struct FaultRule {
  FaultOp op = FaultOp::kWrite;
  FaultTarget target = FaultTarget::kAny;
  int rc = 0;               // the SQLite result code returned instead of the real call's
  std::int64_t skip = 0;    // let this many matching calls through first (fail the Nth = skip+1)
  std::int64_t times = -1;  // fail this many matching calls, then let them through (-1: forever)
};

// Registers the shim as the default VFS (idempotent). Returns false when SQLite refused.
bool InstallFaultVfs();

// Arms `rule` (replacing any armed one) and resets the counters.
void ArmFault(const FaultRule& rule);
// Lets every call through again.
void DisarmFault();
// Calls that matched the armed rule, and calls that were failed, since the last ArmFault().
std::int64_t FaultMatches();
std::int64_t FaultsInjected();

std::string FaultOpName(FaultOp op);
std::string FaultTargetName(FaultTarget target);

}  // namespace actionlog::testing
