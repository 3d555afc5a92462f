#include "store/postgres/connection.hpp"

#include <array>
#include <utility>

#include "store/postgres/errors.hpp"

namespace actionlog::store::postgres {
namespace {

struct ConninfoFreer {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};

Status ValidateConninfo(const std::string& conninfo) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoFreer> options(
      PQconninfoParse(conninfo.c_str(), &error));
  if (options == nullptr) {
    std::string message = "invalid PostgreSQL connection string";
    if (error != nullptr) {
      message += ": ";
      message += error;
      PQfreemem(error);
    }
    while (!message.empty() && message.back() == '\n') {
      message.pop_back();
    }
    return MakeError(ErrorCode::kInvalidArgument, std::move(message));
  }
  return OkStatus();
}

// Server notices (a WARNING such as "there is no transaction in progress" for the ROLLBACK that
// follows a failed pipelined BEGIN) are not errors, which come back as results: libpq's default
// processor would print them on the process's stderr.
void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

ConnPtr Connect(const std::string& conninfo) {
  const std::array<const char*, 3> keywords = {"dbname", "fallback_application_name", nullptr};
  const std::array<const char*, 3> values = {conninfo.c_str(), "actionlog", nullptr};
  ConnPtr conn(PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1));
  if (conn != nullptr) {
    PQsetNoticeProcessor(conn.get(), &IgnoreNotice, nullptr);
  }
  return conn;
}

Error ConnectError(PGconn* conn) {
  std::string message = "cannot connect to PostgreSQL";
  if (conn != nullptr) {
    std::string_view text = PQerrorMessage(conn);
    while (!text.empty() && text.back() == '\n') {
      text.remove_suffix(1);
    }
    message += ": ";
    message += text;
  }
  return MakeError(ErrorCode::kUnavailable, std::move(message));
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo,
                                                     Durability durability) {
  ACTIONLOG_RETURN_IF_ERROR(ValidateConninfo(conninfo));
  ConnPtr conn = Connect(conninfo);
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    return ConnectError(conn.get());
  }
  std::unique_ptr<Connection> result(new Connection(std::move(conn), conninfo, durability));
  ACTIONLOG_RETURN_IF_ERROR(result->Configure());
  return result;
}

Status Connection::Configure() {
  const std::string_view sql = durability_ == Durability::kFull
                                   ? "SET client_encoding = 'UTF8'; SET TimeZone = 'UTC';"
                                     " SET synchronous_commit = on"
                                   : "SET client_encoding = 'UTF8'; SET TimeZone = 'UTC';"
                                     " SET synchronous_commit = off";
  ACTIONLOG_RETURN_IF_ERROR(ExecSql(sql, "configuring the PostgreSQL session"));
  return OkStatus();
}

Status Connection::Reconnect() {
  prepared_ = {};
  pending_.clear();
  PQreset(conn_.get());
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    return ConnectError(conn_.get());
  }
  return Configure();
}

Result<ResultPtr> Connection::Check(ResultPtr result, std::string_view context) {
  const ExecStatusType status =
      result != nullptr ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
    last_sqlstate_.clear();
    return result;
  }
  const char* sqlstate =
      result != nullptr ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = sqlstate != nullptr ? sqlstate : "";
  return PgError(conn_.get(), result.get(), context);
}

Result<std::string> Connection::Prepared(std::size_t id, bool lock, std::string_view context) {
  const bool locking = lock && IsLockable(id);
  const std::size_t slot = locking ? id + kStmtCount : id;
  std::string name = "actionlog_" + std::to_string(slot);
  if (prepared_.at(slot)) {
    return name;
  }
  const std::string sql = StatementSql(id, locking);
  if (PQpipelineStatus(conn_.get()) == PQ_PIPELINE_OFF) {
    ACTIONLOG_RETURN_IF_ERROR(
        Check(ResultPtr(PQprepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr)), context));
  } else {
    ACTIONLOG_RETURN_IF_ERROR(
        Queue(PQsendPrepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr), context, nullptr));
    pending_.back().slot = static_cast<int>(slot);
  }
  prepared_.at(slot) = true;
  return name;
}

Result<ResultPtr> Connection::Exec(std::size_t id, bool lock, const Params& params,
                                   std::string_view context) {
  if (HasPending()) {
    ResultPtr result;
    ACTIONLOG_RETURN_IF_ERROR(Defer(id, lock, params, context, &result));
    ACTIONLOG_RETURN_IF_ERROR(Settle());
    return result;
  }
  ACTIONLOG_ASSIGN_OR_RETURN(const std::string name, Prepared(id, lock, context));
  failed_owner_ = owner_;
  return Check(ResultPtr(PQexecPrepared(conn_.get(), name.c_str(), params.Size(), params.Values(),
                                        params.Lengths(), params.Formats(), /*resultFormat=*/1)),
               context);
}

Result<ResultPtr> Connection::ExecSql(std::string_view sql, std::string_view context) {
  ACTIONLOG_RETURN_IF_ERROR(Settle());
  failed_owner_ = owner_;
  const std::string text(sql);
  if (PQsendQuery(conn_.get(), text.c_str()) == 0) {
    return Check(nullptr, context);
  }
  ResultPtr last;
  ResultPtr failed;
  while (PGresult* raw = PQgetResult(conn_.get())) {
    ResultPtr result(raw);
    const ExecStatusType status = PQresultStatus(raw);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && failed == nullptr) {
      failed = std::move(result);
    } else {
      last = std::move(result);
    }
  }
  if (failed != nullptr) {
    return Check(std::move(failed), context);
  }
  return Check(std::move(last), context);
}

Status Connection::EnterPipeline(std::string_view context) {
  if (PQpipelineStatus(conn_.get()) == PQ_PIPELINE_OFF && PQenterPipelineMode(conn_.get()) == 0) {
    return PgError(conn_.get(), nullptr, context);
  }
  return OkStatus();
}

Status Connection::Queue(int sent, std::string_view context, ResultPtr* keep) {
  if (sent == 0) {
    failed_owner_ = owner_;
    return Check(nullptr, context).error();
  }
  pending_.push_back(Pending{std::string(context), owner_, keep, -1, false});
  return OkStatus();
}

Status Connection::Defer(std::size_t id, bool lock, const Params& params, std::string_view context,
                         ResultPtr* keep, bool one_row) {
  ACTIONLOG_RETURN_IF_ERROR(EnterPipeline(context));
  ACTIONLOG_ASSIGN_OR_RETURN(const std::string name, Prepared(id, lock, context));
  ACTIONLOG_RETURN_IF_ERROR(
      Queue(PQsendQueryPrepared(conn_.get(), name.c_str(), params.Size(), params.Values(),
                                params.Lengths(), params.Formats(), /*resultFormat=*/1),
            context, keep));
  pending_.back().one_row = one_row;
  return OkStatus();
}

Status Connection::DeferSql(std::string_view sql, std::string_view context, ResultPtr* keep) {
  ACTIONLOG_RETURN_IF_ERROR(EnterPipeline(context));
  const std::string text(sql);
  return Queue(
      PQsendQueryParams(conn_.get(), text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0),
      context, keep);
}

Status Connection::Settle() {
  if (!HasPending()) {
    return OkStatus();
  }
  if (PQpipelineSync(conn_.get()) == 0) {
    failed_owner_ = pending_.front().owner;
    pending_.clear();
    return Check(nullptr, "sending queued statements").error();
  }
  return CollectPending();
}

// Reads one result per queued statement (each followed by a null), then the sync's result, and
// leaves pipeline mode. After a lost connection PQgetResult returns null at once.
Status Connection::CheckPending(const Pending& entry, ResultPtr& result) {
  const ExecStatusType status =
      result != nullptr ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    if (entry.slot >= 0) {
      prepared_.at(static_cast<std::size_t>(entry.slot)) = false;
    }
    return Check(std::move(result), entry.context).error();
  }
  if (entry.one_row && std::string_view(PQcmdTuples(result.get())) == "0") {
    last_sqlstate_.clear();
    return MakeError(ErrorCode::kConflict, entry.context + ": the row was modified concurrently");
  }
  if (entry.keep != nullptr) {
    *entry.keep = std::move(result);
  }
  return OkStatus();
}

Status Connection::CollectPending() {
  const std::vector<Pending> pending = std::move(pending_);
  pending_.clear();
  Status first = OkStatus();
  for (const Pending& entry : pending) {
    ResultPtr result(PQgetResult(conn_.get()));
    while (PGresult* extra = PQgetResult(conn_.get())) {
      PQclear(extra);
    }
    Status checked = CheckPending(entry, result);
    if (!checked && first) {
      failed_owner_ = entry.owner;
      first = std::move(checked);
    }
  }
  while (PGresult* raw = PQgetResult(conn_.get())) {
    const ResultPtr result(raw);
    if (PQresultStatus(raw) == PGRES_PIPELINE_SYNC) {
      break;
    }
  }
  (void)PQexitPipelineMode(conn_.get());
  if (first) {
    last_sqlstate_.clear();
  }
  return first;
}

}  // namespace actionlog::store::postgres
