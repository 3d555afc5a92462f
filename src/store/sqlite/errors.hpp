// Maps SQLite result codes to actionlog errors. The only place that knows the mapping.
//
//   SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY        -> kConflict (names the violated index)
//   SQLITE_CONSTRAINT_FOREIGNKEY                  -> kFailedPrecondition (the referenced
//                                                    instance or action does not exist)
//   other SQLITE_CONSTRAINT_*                     -> kInvalidArgument
//   SQLITE_BUSY / LOCKED / FULL / IOERR / CANTOPEN -> kUnavailable (transient; retry later)
//   SQLITE_CORRUPT / NOTADB                       -> kDataLoss
//   anything else                                 -> kInternal
// Thread-safe: pure functions of their arguments (sqlite3_errmsg of a connection the caller uses).
#pragma once

#include <string_view>

#include <sqlite3.h>

#include "actionlog/core/error.hpp"

namespace actionlog::store::sqlite {

// The ErrorCode for an (extended) SQLite result code.
ErrorCode MapResultCode(int rc);

// An Error for `rc`, with message "<context>: <sqlite message>[ (index <name>)]". `db` may be
// null; then the generic text of `rc` is used.
Error SqliteError(sqlite3* db, int rc, std::string_view context);

}  // namespace actionlog::store::sqlite
