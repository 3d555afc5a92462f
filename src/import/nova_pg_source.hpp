// A NovaSource over a Nova PostgreSQL database (libpq). The whole import reads one snapshot: the
// connection opens a REPEATABLE READ READ ONLY transaction, and every read streams its rows
// through server-side cursors (FETCH 1000 at a time), so memory does not grow with the database.
// Nothing is ever written; the transaction is rolled back when the source is destroyed.
#pragma once

#include <memory>
#include <string>

#include "import/nova_source.hpp"

namespace actionlog::import {

// `conninfo` is anything PQconnectdb accepts: a postgresql:// or postgres:// URL or a keyword
// DSN. Errors: kUnavailable when the server cannot be reached; kInvalidArgument when the database
// lacks Nova's tables or columns ("not a Nova database: ...").
Result<std::unique_ptr<NovaSource>> OpenNovaPgSource(const std::string& conninfo);

}  // namespace actionlog::import
