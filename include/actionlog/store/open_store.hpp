// Opens a Store by URL scheme: sqlite:// (always built) or postgresql:// (when built with
// ACTIONLOG_WITH_POSTGRES). Errors: kInvalidArgument for a malformed or unknown URL,
// kUnsupported for a database newer than this binary or older without allow_old_schema,
// kUnavailable when the database cannot be reached.
#pragma once

#include <memory>

#include "actionlog/store/store.hpp"

namespace actionlog::store {

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options);

}  // namespace actionlog::store
