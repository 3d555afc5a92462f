#include "store/common/backend.hpp"

#include <exception>
#include <string>

namespace actionlog::store {

Status CallRead(const ReadFn& fn, ReadTransaction& tx) {
  try {
    return fn(tx);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal,
                     std::string("read callback threw an exception: ") + e.what());
  } catch (...) {
    return MakeError(ErrorCode::kInternal, "read callback threw an unknown exception");
  }
}

Status CallWrite(const WriteFn& fn, WriteTransaction& tx) {
  try {
    return fn(tx);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal,
                     std::string("write callback threw an exception: ") + e.what());
  } catch (...) {
    return MakeError(ErrorCode::kInternal, "write callback threw an unknown exception");
  }
}

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

}  // namespace actionlog::store
