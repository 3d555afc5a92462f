// What every storage backend shares: the exception barrier around store callbacks and the
// schema-version policy. Backends only; callers use include/actionlog/store/store.hpp.
#pragma once

#include <string_view>

#include "actionlog/core/error.hpp"
#include "actionlog/store/store.hpp"

namespace actionlog::store {

// Runs a Read/Write callback; an exception it throws becomes kInternal (nothing escapes into the
// backend's connection or writer code).
Status CallRead(const ReadFn& fn, ReadTransaction& tx);
Status CallWrite(const WriteFn& fn, WriteTransaction& tx);

// The rule for a database at schema `version` opened by this binary (kSchemaVersion): newer is
// kUnsupported; older is kUnsupported ("run `actionlog db upgrade`") unless `allow_old`.
Status CheckSchemaVersion(int version, bool allow_old);

// The kUnsupported of a Write or Upgrade on a store opened with StoreOptions::read_only.
Status ReadOnlyStoreError(std::string_view operation);

}  // namespace actionlog::store
