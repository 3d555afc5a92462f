#include "store/postgres/postgres_store.hpp"

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "store/common/backend.hpp"
#include "store/postgres/connection.hpp"
#include "store/postgres/reader_pool.hpp"
#include "store/postgres/schema.hpp"
#include "store/postgres/transaction.hpp"
#include "store/postgres/writer.hpp"

namespace actionlog::store::postgres {
namespace {

// One snapshot for every read of the callback; READ ONLY lets a hot standby serve it.
constexpr std::string_view kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

// BEGIN is queued and travels with the callback's first statement; COMMIT (or ROLLBACK) is one
// more round trip. A read of one statement therefore costs two round trips.
Status RunRead(Connection& conn, const ReadFn& fn) {
  ACTIONLOG_RETURN_IF_ERROR(conn.DeferSql(kBeginRead, "starting a read transaction"));
  PgTransaction tx(conn, kBeginRead);
  Status status = CallRead(fn, tx);
  if (status && tx.Failure().has_value()) {
    status = *tx.Failure();
  }
  if (conn.IsBroken()) {
    return status;
  }
  auto ended = conn.DeferSql(status ? "COMMIT" : "ROLLBACK", "ending a read transaction");
  if (ended) {
    ended = conn.Settle();
  }
  if (status && !ended) {
    return ended.error();
  }
  return status;
}

class PostgresStore final : public Store {
 public:
  PostgresStore(const StoreOptions& options, std::unique_ptr<Connection> reader,
                std::vector<std::unique_ptr<Connection>> writers)
      : readers_(options.url, options.durability, options.read_connections, std::move(reader)),
        read_only_(options.read_only),
        writer_(std::move(writers), options.max_batch) {}

  Status Read(const ReadFn& fn) override {
    ACTIONLOG_ASSIGN_OR_RETURN(const ReaderPool::Lease lease, readers_.Acquire());
    return RunRead(lease.Conn(), fn);
  }

  Status Write(const WriteFn& fn) override {
    if (read_only_) {
      return ReadOnlyStoreError("write");
    }
    return writer_.Submit(fn);
  }

  Result<int> SchemaVersion() override {
    ACTIONLOG_ASSIGN_OR_RETURN(const ReaderPool::Lease lease, readers_.Acquire());
    return ReadSchemaVersion(lease.Conn());
  }

  Status Upgrade() override {
    if (read_only_) {
      return ReadOnlyStoreError("upgrade");
    }
    ACTIONLOG_ASSIGN_OR_RETURN(const ReaderPool::Lease lease, readers_.Acquire());
    return ApplyMigrations(lease.Conn());
  }

  std::string_view Backend() const override { return "postgresql"; }

 private:
  ReaderPool readers_;
  const bool read_only_;
  GroupCommitWriter writer_;  // last: stopped first; no connections when read_only_
};

// Checks (and for an empty database, creates) the schema.
Status PrepareDatabase(Connection& conn, const StoreOptions& options) {
  ACTIONLOG_ASSIGN_OR_RETURN(const int version, ReadSchemaVersion(conn));
  if (version == 0 && options.create_if_empty && !options.read_only) {
    return ApplyMigrations(conn);
  }
  return CheckSchemaVersion(version, options.allow_old_schema);
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const StoreOptions& options) {
  ACTIONLOG_ASSIGN_OR_RETURN(std::unique_ptr<Connection> reader,
                             Connection::Open(options.url, options.durability));
  ACTIONLOG_RETURN_IF_ERROR(PrepareDatabase(*reader, options));
  std::vector<std::unique_ptr<Connection>> writers;
  for (int i = 0; i < (options.read_only ? 0 : kWriterConnections); ++i) {
    ACTIONLOG_ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer,
                               Connection::Open(options.url, options.durability));
    writers.push_back(std::move(writer));
  }
  return std::unique_ptr<Store>(
      std::make_unique<PostgresStore>(options, std::move(reader), std::move(writers)));
}

}  // namespace actionlog::store::postgres
