// Maps libpq failures and PostgreSQL SQLSTATEs to actionlog errors. The only place that knows
// the mapping.
//
//   23505 unique_violation                 -> kConflict (names the violated index)
//   23503 foreign_key_violation            -> kFailedPrecondition (the referenced instance or
//                                             action does not exist)
//   other 23xxx, 22xxx (bad data)          -> kInvalidArgument
//   40001 serialization_failure,
//   40P01 deadlock_detected                -> retryable: Write re-runs the batch; kUnavailable
//                                             if it still fails after the last attempt
//   08xxx, 53xxx, 57xxx, 55P03, 25006,
//   a lost connection                      -> kUnavailable (transient; retry later)
//   XX001, XX002 (corrupted data/index)    -> kDataLoss
//   anything else                          -> kInternal
// Thread-safe: pure functions of their arguments.
#pragma once

#include <string_view>

#include <libpq-fe.h>

#include "actionlog/core/error.hpp"

namespace actionlog::store::postgres {

// The ErrorCode for a five-character SQLSTATE ("" when the server sent none).
ErrorCode MapSqlState(std::string_view sqlstate);

// True for the SQLSTATEs after which the whole transaction may be run again.
bool IsRetryable(std::string_view sqlstate);

// An Error for a failed result (or a null result, or a broken connection), with message
// "<context>: <server message>". `result` may be null.
Error PgError(PGconn* conn, const PGresult* result, std::string_view context);

}  // namespace actionlog::store::postgres
