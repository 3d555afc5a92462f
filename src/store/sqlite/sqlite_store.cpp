#include "store/sqlite/sqlite_store.hpp"

#include <exception>
#include <mutex>
#include <string>
#include <utility>

#include "store/common/backend.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/reader_pool.hpp"
#include "store/sqlite/schema.hpp"
#include "store/sqlite/transaction.hpp"
#include "store/sqlite/writer.hpp"

namespace actionlog::store::sqlite {
namespace {

constexpr std::string_view kMemoryPath = ":memory:";

Status RunControl(Connection& conn, StmtId id, std::string_view context) {
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn.Get(id));
  return stmt.Run(context);
}

// Runs `fn` in one deferred transaction on `conn`: every read sees one snapshot.
Status RunRead(Connection& conn, const ReadFn& fn) {
  ACTIONLOG_RETURN_IF_ERROR(RunControl(conn, StmtId::kBegin, "starting a read transaction"));
  SqliteTransaction tx(conn);
  Status status = CallRead(fn, tx);
  if (status) {
    status = RunControl(conn, StmtId::kCommit, "ending a read transaction");
  }
  if (sqlite3_get_autocommit(conn.Handle()) == 0) {
    (void)RunControl(conn, StmtId::kRollback, "ending a read transaction");
  }
  return status;
}

// A file database: a writer thread plus a pool of WAL readers. An in-memory database: one
// connection, used by the writer thread and by readers in turn under conn_mu_.
class SqliteStore final : public Store {
 public:
  SqliteStore(const StoreOptions& options, std::unique_ptr<Connection> writer_conn)
      : memory_(writer_conn->Path() == kMemoryPath),
        writer_conn_(std::move(writer_conn)),
        durability_(options.durability),
        read_connections_(options.read_connections),
        read_only_(options.read_only) {}

  ~SqliteStore() override { writer_.reset(); }

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Status Start(int max_batch) {
    if (!memory_) {
      ACTIONLOG_RETURN_IF_ERROR(
          readers_.Open(writer_conn_->Path(), read_connections_, durability_));
    }
    writer_ = std::make_unique<GroupCommitWriter>(*writer_conn_, conn_mu_, max_batch);
    return OkStatus();
  }

  Status Read(const ReadFn& fn) override {
    if (memory_) {
      const std::lock_guard<std::mutex> lock(conn_mu_);
      return RunRead(*writer_conn_, fn);
    }
    const ReaderPool::Lease lease = readers_.Acquire();
    return RunRead(lease.Conn(), fn);
  }

  Status Write(const WriteFn& fn) override {
    if (read_only_) {
      return ReadOnlyStoreError("write");
    }
    return writer_->Submit(fn);
  }

  Result<int> SchemaVersion() override {
    const std::lock_guard<std::mutex> lock(conn_mu_);
    return ReadSchemaVersion(*writer_conn_);
  }

  Status Upgrade() override {
    if (read_only_) {
      return ReadOnlyStoreError("upgrade");
    }
    const std::lock_guard<std::mutex> lock(conn_mu_);
    return ApplyMigrations(*writer_conn_);
  }

  std::string_view Backend() const override { return "sqlite"; }

 private:
  const bool memory_;
  std::unique_ptr<Connection> writer_conn_;
  const Durability durability_;
  const int read_connections_;
  const bool read_only_;
  std::mutex conn_mu_;  // guards writer_conn_
  ReaderPool readers_;
  std::unique_ptr<GroupCommitWriter> writer_;  // last: stopped first
};

// Checks (and for an empty database, creates) the schema; switches a file to WAL.
Status PrepareDatabase(Connection& conn, const StoreOptions& options, bool memory) {
  ACTIONLOG_ASSIGN_OR_RETURN(const int version, ReadSchemaVersion(conn));
  const bool create = version == 0 && options.create_if_empty && !options.read_only;
  if (!create) {
    ACTIONLOG_RETURN_IF_ERROR(CheckSchemaVersion(version, options.allow_old_schema));
  }
  ACTIONLOG_RETURN_IF_ERROR(conn.Configure(options.durability, /*writer=*/true));
  if (!memory && !options.read_only) {
    ACTIONLOG_RETURN_IF_ERROR(conn.EnableWal());
  }
  if (create) {
    ACTIONLOG_RETURN_IF_ERROR(ApplyMigrations(conn));
  }
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const StoreOptions& options,
                                               const std::string& path) {
  const bool memory = path == kMemoryPath;
  ACTIONLOG_ASSIGN_OR_RETURN(
      std::unique_ptr<Connection> conn,
      Connection::Open(path, (options.create_if_empty && !options.read_only) || memory,
                       !memory && options.durability == Durability::kFull));
  ACTIONLOG_RETURN_IF_ERROR(PrepareDatabase(*conn, options, memory));
  auto store = std::make_unique<SqliteStore>(options, std::move(conn));
  ACTIONLOG_RETURN_IF_ERROR(store->Start(options.max_batch));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace actionlog::store::sqlite
