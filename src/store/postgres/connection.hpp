// One PostgreSQL connection and the statements it has prepared.
//
// Owns the PGconn (closed with PQfinish). Statements of sql.hpp are prepared on first use with
// PQprepare and run with PQexecPrepared, binary parameters and binary results. Not thread-safe:
// one thread at a time; the store hands a connection to one transaction at a time.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

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
  // last result. Only for fixed SQL: transaction control, schema migrations.
  Result<ResultPtr> ExecSql(std::string_view sql, std::string_view context);

  // Reconnects after a lost connection; prepared statements are prepared again on use.
  Status Reconnect();

  bool IsBroken() const { return PQstatus(conn_.get()) != CONNECTION_OK; }

  // True inside a transaction that a failed statement has aborted.
  bool InFailedTransaction() const { return PQtransactionStatus(conn_.get()) == PQTRANS_INERROR; }

  // True when no transaction is open.
  bool IsIdle() const { return PQtransactionStatus(conn_.get()) == PQTRANS_IDLE; }

  // SQLSTATE of the last failed call ("" after a success or a lost connection).
  const std::string& last_sqlstate() const { return last_sqlstate_; }

  PGconn* raw() const { return conn_.get(); }

 private:
  Connection(ConnPtr conn, std::string conninfo, Durability durability)
      : conn_(std::move(conn)), conninfo_(std::move(conninfo)), durability_(durability) {}

  Status Configure();
  Result<ResultPtr> Check(ResultPtr result, std::string_view context);

  ConnPtr conn_;
  std::string conninfo_;
  Durability durability_;
  std::array<bool, 2 * kStmtCount> prepared_{};
  std::string last_sqlstate_;
};

}  // namespace actionlog::store::postgres
