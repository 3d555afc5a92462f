#include "store/common/backend.hpp"

#include <exception>
#include <string>
#include <string_view>

namespace actionlog::store {

namespace {

// Runs a store callback; an exception it throws becomes kInternal naming `what` it was.
template <class Fn, class Tx>
Status CallGuarded(const Fn& fn, Tx& tx, std::string_view what) {
  try {
    return fn(tx);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal,
                     std::string(what) + " callback threw an exception: " + e.what());
  } catch (...) {
    return MakeError(ErrorCode::kInternal,
                     std::string(what) + " callback threw an unknown exception");
  }
}

}  // namespace

Status CallRead(const ReadFn& fn, ReadTransaction& tx) { return CallGuarded(fn, tx, "read"); }

Status CallWrite(const WriteFn& fn, WriteTransaction& tx) { return CallGuarded(fn, tx, "write"); }

Status CheckSchemaVersion(int version, bool allow_old) {
  const std::string ours = std::to_string(kSchemaVersion);
  if (version > kSchemaVersion) {
    return MakeError(ErrorCode::kUnsupported, "database schema version " + std::to_string(version) +
                                                  " is newer than this binary (" + ours +
                                                  "): use a newer actionlog to open it");
  }
  if (version < kSchemaVersion && !allow_old) {
    return MakeError(ErrorCode::kUnsupported, "database schema version " + std::to_string(version) +
                                                  " is older than this binary (" + ours +
                                                  "): run `actionlog db upgrade`");
  }
  return OkStatus();
}

Status ReadOnlyStoreError(std::string_view operation) {
  return MakeError(ErrorCode::kUnsupported,
                   std::string(operation) + ": this store was opened for reads only");
}

}  // namespace actionlog::store
