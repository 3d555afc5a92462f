// Numbered schema migrations for PostgreSQL and the schema version check.
//
// Migration N is one transaction: its DDL plus actionlog_meta's schema_version = N. Concurrent
// upgraders serialize on a transaction-scoped advisory lock and re-check the version, so running
// `actionlog db upgrade` twice at once is safe. Not thread-safe: one connection, one caller.
#pragma once

#include "actionlog/core/error.hpp"
#include "store/postgres/connection.hpp"

namespace actionlog::store::postgres {

// The number of the newest migration (== kSchemaVersion).
int LatestMigration();

// The schema version recorded in the database (0 when the current schema has no tables).
// kUnsupported for a non-empty schema without actionlog_meta (not an actionlog database: left
// untouched); kDataLoss when actionlog_meta has no valid schema_version.
Result<int> ReadSchemaVersion(Connection& conn);

// Applies every migration newer than the database's version. Idempotent. kUnsupported when the
// database is newer than this binary.
Status ApplyMigrations(Connection& conn);

}  // namespace actionlog::store::postgres
