#include "import/nova_pg_source.hpp"

#include <charconv>
#include <string_view>
#include <utility>

#include <libpq-fe.h>

#include "import/nova_rows.hpp"

namespace actionlog::import {
namespace {

struct ConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};

struct ResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};

using ConnPtr = std::unique_ptr<PGconn, ConnCloser>;
using ResultPtr = std::unique_ptr<PGresult, ResultClearer>;

constexpr int kFetchRows = 1000;

const std::string kInstancesSql =
    std::string("SELECT ") + kInstanceColumns + " FROM instances ORDER BY id";
const std::string kActionsSql =
    std::string("SELECT ") + kActionColumns + " FROM instance_actions ORDER BY id";
// NULL action_ids first, as the merge expects (PostgreSQL sorts them last by default).
const std::string kEventsSql = std::string("SELECT ") + kEventColumns +
                               " FROM instance_actions_events ORDER BY action_id NULLS FIRST, id";

ErrorCode CodeOf(std::string_view sqlstate) {
  if (sqlstate.starts_with("08") || sqlstate.starts_with("53") || sqlstate.starts_with("57P") ||
      sqlstate == "40001" || sqlstate == "40P01") {
    return ErrorCode::kUnavailable;
  }
  if (sqlstate == "42P01" || sqlstate == "42703" || sqlstate == "3F000") {
    return ErrorCode::kInvalidArgument;
  }
  return ErrorCode::kInternal;
}

// libpq's last error message without its trailing newline.
std::string ConnError(PGconn* conn) {
  std::string message = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  return message;
}

// Runs one statement (no parameters, no user data); an error unless it succeeded.
Result<ResultPtr> Exec(PGconn* conn, const std::string& sql) {
  ResultPtr result(PQexec(conn, sql.c_str()));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    return result;
  }
  const char* state =
      result != nullptr ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
  const ErrorCode code = state != nullptr ? CodeOf(state) : ErrorCode::kUnavailable;
  const std::string prefix =
      code == ErrorCode::kInvalidArgument ? "not a Nova database: " : "reading the Nova database: ";
  return MakeError(code, prefix + ConnError(conn));
}

// A RowCursor over a server-side cursor, fetched kFetchRows rows at a time.
class PgCursor final : public RowCursor {
 public:
  PgCursor(PGconn* conn, std::string name) : conn_(conn), name_(std::move(name)) {}

  PgCursor(const PgCursor&) = delete;
  PgCursor& operator=(const PgCursor&) = delete;

  ~PgCursor() override { (void)Exec(conn_, "CLOSE " + name_); }

  static Result<std::unique_ptr<PgCursor>> Declare(PGconn* conn, const std::string& name,
                                                   const std::string& sql) {
    ACTIONLOG_RETURN_IF_ERROR(Exec(conn, "DECLARE " + name + " NO SCROLL CURSOR FOR " + sql));
    return std::make_unique<PgCursor>(conn, name);
  }

  Result<bool> Step() override {
    if (++row_ < rows_) {
      return true;
    }
    if (done_) {
      return false;
    }
    ACTIONLOG_ASSIGN_OR_RETURN(
        batch_, Exec(conn_, "FETCH " + std::to_string(kFetchRows) + " FROM " + name_));
    rows_ = PQntuples(batch_.get());
    row_ = 0;
    done_ = rows_ < kFetchRows;
    return rows_ > 0;
  }

  bool IsNull(int col) const override { return PQgetisnull(batch_.get(), row_, col) != 0; }

  std::int64_t Int(int col) const override {
    std::int64_t value = 0;
    const char* text = PQgetvalue(batch_.get(), row_, col);
    (void)std::from_chars(text, text + PQgetlength(batch_.get(), row_, col), value);
    return value;
  }

  std::optional<std::string> Text(int col) const override {
    if (IsNull(col)) {
      return std::nullopt;
    }
    return std::string(PQgetvalue(batch_.get(), row_, col),
                       static_cast<std::size_t>(PQgetlength(batch_.get(), row_, col)));
  }

 private:
  PGconn* conn_;
  std::string name_;
  ResultPtr batch_;
  int rows_ = 0;
  int row_ = -1;
  bool done_ = false;
};

class NovaPgSource final : public NovaSource {
 public:
  explicit NovaPgSource(ConnPtr conn) : conn_(std::move(conn)) {}

  Status ReadInstances(const NovaSink& sink) override {
    ACTIONLOG_ASSIGN_OR_RETURN(auto instances,
                               PgCursor::Declare(conn_.get(), "nova_instances", kInstancesSql));
    return ReadInstanceRows(*instances, sink);
  }

  Status ReadActions(const NovaSink& sink) override {
    ACTIONLOG_ASSIGN_OR_RETURN(auto actions,
                               PgCursor::Declare(conn_.get(), "nova_actions", kActionsSql));
    ACTIONLOG_ASSIGN_OR_RETURN(auto events,
                               PgCursor::Declare(conn_.get(), "nova_events", kEventsSql));
    return MergeActionRows(*actions, *events, sink);
  }

 private:
  ConnPtr conn_;
};

// Checks that every query of the reader compiles: Nova's tables and columns exist.
Status ProbeNovaTables(PGconn* conn) {
  for (const std::string* sql : {&kInstancesSql, &kActionsSql, &kEventsSql}) {
    ACTIONLOG_RETURN_IF_ERROR(Exec(conn, *sql + " LIMIT 0"));
  }
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<NovaSource>> OpenNovaPgSource(const std::string& conninfo) {
  ConnPtr conn(PQconnectdb(conninfo.c_str()));
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot connect to the Nova database: " + ConnError(conn.get()));
  }
  if (PQsetClientEncoding(conn.get(), "UTF8") != 0) {
    return MakeError(ErrorCode::kUnavailable, "Nova database: " + ConnError(conn.get()));
  }
  ACTIONLOG_RETURN_IF_ERROR(Exec(conn.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  // Timestamps as "YYYY-MM-DD HH:MM:SS[.ffffff]", whatever the server's default.
  ACTIONLOG_RETURN_IF_ERROR(Exec(conn.get(), "SET LOCAL DateStyle = ISO"));
  ACTIONLOG_RETURN_IF_ERROR(ProbeNovaTables(conn.get()));
  return std::make_unique<NovaPgSource>(std::move(conn));
}

}  // namespace actionlog::import
