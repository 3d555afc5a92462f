// PostgreSQL backend: one group-commit writer connection and a pool of reader connections per
// process; any number of processes may share one database (see docs/storage.md).
#pragma once

#include <memory>

#include "actionlog/store/store.hpp"

namespace actionlog::store::postgres {

// `options.url` is a libpq connection URI (postgresql://user@host:port/db,
// postgresql:///db?host=/socket/dir) or keyword DSN ("host=/tmp dbname=actionlog"). Errors:
// kInvalidArgument for a malformed URL, kUnavailable when the server cannot be reached,
// kUnsupported for a schema newer than this binary, older without allow_old_schema, or a
// non-empty database that is not actionlog's.
Result<std::unique_ptr<Store>> OpenPostgresStore(const StoreOptions& options);

}  // namespace actionlog::store::postgres
