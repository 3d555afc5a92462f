// One PostgreSQL connection and the statements it has prepared.
//
// Owns the PGconn (closed with PQfinish). Statements of sql.hpp are prepared on first use with
// PQprepare and run with PQexecPrepared, binary parameters and binary results. Not thread-safe:
// one thread at a time; the store hands a connection to one transaction at a time.
//
// Pipelining: Defer() and DeferSql() send a statement in libpq pipeline mode without waiting for
// its result. The next Exec() (or Settle()) sends its own statement behind them with one sync, so
// all of them cost one round trip, and checks every result in order. The first failure is the
// error returned; the statements after it were skipped by the server. Each queued statement
// carries the owner tag set by set_owner(), so the caller learns whose statement failed
// (failed_owner()).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

#include "actionlog/core/error.hpp"
#include "actionlog/store/store.hpp"
#include "store/postgres/sql.hpp"
#include "store/postgres/statement.hpp"

namespace actionlog::store::postgres {

struct ConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};

using ConnPtr = std::unique_ptr<PGconn, ConnCloser>;

class Connection {
 public:
  // Connects with a libpq URI (postgresql://user@host:port/db?host=/socket/dir) or keyword DSN
  // ("host=/tmp dbname=x") and applies the session settings: UTF8 client encoding, UTC,
  // synchronous_commit on (off for Durability::kNormal). Errors: kInvalidArgument for a
  // malformed connection string, kUnavailable when the server cannot be reached.
  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo,
                                                  Durability durability);

  // Runs prepared statement `id` (its row-locking variant with `lock`), preparing it first if
  // this connection has not yet. The result is PGRES_TUPLES_OK or PGRES_COMMAND_OK; any other
  // outcome is an error whose message starts with `context`.
  Result<ResultPtr> Exec(std::size_t id, bool lock, const Params& params, std::string_view context);

  Result<ResultPtr> Exec(StmtId id, bool lock, const Params& params, std::string_view context) {
    return Exec(Index(id), lock, params, context);
  }

  // Runs SQL text without parameters (one or more statements; text results) and returns the
  // last result. Only for fixed SQL: transaction control, schema migrations. Settles queued
  // statements first.
  Result<ResultPtr> ExecSql(std::string_view sql, std::string_view context);

  // Queues prepared statement `id` (see Exec); with `keep`, its result is stored there when it
  // is settled. An UPDATE queued with `one_row` that changes no row fails with kConflict when
  // settled. Errors only when the statement cannot be sent (lost connection).
  Status Defer(std::size_t id, bool lock, const Params& params, std::string_view context,
               ResultPtr* keep = nullptr, bool one_row = false);

  Status Defer(StmtId id, bool lock, const Params& params, std::string_view context,
               ResultPtr* keep = nullptr, bool one_row = false) {
    return Defer(Index(id), lock, params, context, keep, one_row);
  }

  // Queues one fixed SQL statement without parameters (transaction control).
  Status DeferSql(std::string_view sql, std::string_view context, ResultPtr* keep = nullptr);

  // Waits for every queued statement; the first failure, if any. Afterwards nothing is queued,
  // also when the connection was lost.
  Status Settle();

  bool HasPending() const { return !pending_.empty(); }

  // The owner tag of statements queued or run from now on.
  void SetOwner(int owner) { owner_ = owner; }

  int Owner() const { return owner_; }

  // The owner tag of the statement whose failure the last failed call returned.
  int FailedOwner() const { return failed_owner_; }

  // Reconnects after a lost connection; prepared statements are prepared again on use.
  Status Reconnect();

  bool IsBroken() const { return PQstatus(conn_.get()) != CONNECTION_OK; }

  // True inside a transaction that a failed statement has aborted.
  bool InFailedTransaction() const { return PQtransactionStatus(conn_.get()) == PQTRANS_INERROR; }

  // True when no transaction is open.
  bool IsIdle() const { return PQtransactionStatus(conn_.get()) == PQTRANS_IDLE; }

  // SQLSTATE of the last failed call ("" after a success or a lost connection).
  const std::string& LastSqlstate() const { return last_sqlstate_; }

  PGconn* Raw() const { return conn_.get(); }

 private:
  Connection(ConnPtr conn, std::string conninfo, Durability durability)
      : conn_(std::move(conn)), conninfo_(std::move(conninfo)), durability_(durability) {}

  struct Pending {
    std::string context;
    int owner = 0;
    ResultPtr* keep = nullptr;
    int slot = -1;  // the prepared_ slot of a queued PQsendPrepare
    bool one_row = false;
  };

  Status Configure();
  Result<ResultPtr> Check(ResultPtr result, std::string_view context);
  // The prepared-statement name of `id`, preparing it (queued in pipeline mode) if needed.
  Result<std::string> Prepared(std::size_t id, bool lock, std::string_view context);
  Status Queue(int sent, std::string_view context, ResultPtr* keep);
  Status EnterPipeline(std::string_view context);
  Status CollectPending();
  // The error of one settled statement, or OK.
  Status CheckPending(const Pending& entry, ResultPtr& result);

  ConnPtr conn_;
  std::string conninfo_;
  Durability durability_;
  std::array<bool, 2 * kStmtCount> prepared_{};
  std::string last_sqlstate_;
  std::vector<Pending> pending_;
  int owner_ = 0;
  int failed_owner_ = 0;
};

}  // namespace actionlog::store::postgres
