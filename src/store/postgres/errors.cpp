#include "store/postgres/errors.hpp"

#include <string>
#include <utility>

namespace actionlog::store::postgres {
namespace {

std::string_view Field(const PGresult* result, int field) {
  const char* value = result != nullptr ? PQresultErrorField(result, field) : nullptr;
  return value != nullptr ? value : "";
}

std::string_view TrimNewline(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

ErrorCode MapSqlState(std::string_view sqlstate) {
  if (sqlstate == "23505") {
    return ErrorCode::kConflict;
  }
  if (sqlstate == "23503") {
    return ErrorCode::kFailedPrecondition;
  }
  if (sqlstate.starts_with("23") || sqlstate.starts_with("22")) {
    return ErrorCode::kInvalidArgument;
  }
  if (IsRetryable(sqlstate) || sqlstate.starts_with("08") || sqlstate.starts_with("53") ||
      sqlstate.starts_with("57") || sqlstate == "55P03" || sqlstate == "25006" ||
      sqlstate.empty()) {
    return ErrorCode::kUnavailable;
  }
  if (sqlstate == "XX001" || sqlstate == "XX002") {
    return ErrorCode::kDataLoss;
  }
  return ErrorCode::kInternal;
}

bool IsRetryable(std::string_view sqlstate) { return sqlstate == "40001" || sqlstate == "40P01"; }

Error PgError(PGconn* conn, const PGresult* result, std::string_view context) {
  std::string message(context);
  message += ": ";
  std::string_view text = TrimNewline(Field(result, PG_DIAG_MESSAGE_PRIMARY));
  if (text.empty() && conn != nullptr) {
    text = TrimNewline(PQerrorMessage(conn));
  }
  message += text.empty() ? "connection to the PostgreSQL server lost" : text;
  const std::string_view constraint = Field(result, PG_DIAG_CONSTRAINT_NAME);
  if (!constraint.empty()) {
    message += " (index ";
    message += constraint;
    message += ")";
  }
  const std::string_view sqlstate = Field(result, PG_DIAG_SQLSTATE);
  ErrorCode code = MapSqlState(sqlstate);
  // A write on a hot standby: 25006, or 0A000 for BEGIN ... READ WRITE. The server reports
  // in_hot_standby (PostgreSQL 14+), so this is told apart from other unsupported features.
  if (conn != nullptr && (sqlstate == "0A000" || sqlstate == "25006")) {
    const char* standby = PQparameterStatus(conn, "in_hot_standby");
    if (standby != nullptr && std::string_view(standby) == "on") {
      code = ErrorCode::kUnavailable;
      message += " (the server is a hot standby: writes need the primary)";
    }
  }
  if (!sqlstate.empty()) {
    message += " [SQLSTATE ";
    message += sqlstate;
    message += "]";
  }
  return MakeError(code, std::move(message));
}

}  // namespace actionlog::store::postgres
