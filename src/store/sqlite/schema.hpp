// The schema of the SQLite backend as numbered migrations, and the checks made on open.
//
// Migration N is a list of statements; applying it records ('schema_version', N) in
// actionlog_meta in the same transaction. New versions append a migration, never edit one.
// Not thread-safe: the caller serializes use of the connection.
#pragma once

#include "actionlog/core/error.hpp"
#include "store/sqlite/connection.hpp"

namespace actionlog::store::sqlite {

// The number of migrations this binary knows (== store::kSchemaVersion).
int LatestMigration();

// The schema version recorded in the database: 0 for an empty database. kUnsupported for a
// database that holds tables but no actionlog_meta (not ours: we never modify it), kDataLoss
// when the recorded version is unreadable, kInvalidArgument when the file is not a database.
Result<int> ReadSchemaVersion(Connection& conn);

// Applies every migration newer than the recorded version, each in its own IMMEDIATE
// transaction (re-reading the version inside it, so concurrent upgraders are safe). Idempotent.
Status ApplyMigrations(Connection& conn);

}  // namespace actionlog::store::sqlite
