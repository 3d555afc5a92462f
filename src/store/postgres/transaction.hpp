// Read and write transactions on one PostgreSQL connection.
//
// The store opens the PostgreSQL transaction (BEGIN ...) and ends it; PgTransaction only runs
// statements inside it. In a write transaction every read returns rows locked with
// FOR NO KEY UPDATE until commit. LockChainHead returns the batch's provisional head and takes no
// lock; AppendChange checks that the entry follows it and keeps the entry in the BatchChain, which
// the writer seals under the chain lock just before COMMIT (see writer.hpp).
//
// A statement that fails aborts the PostgreSQL transaction; every later call then returns the
// same error without reaching the server (failure()), and retry() tells whether the failure was
// a serialization failure, a deadlock or a lost connection, after which the writer runs the
// whole batch again. Not thread-safe: used by one thread, inside one callback.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actionlog/store/store.hpp"
#include "store/postgres/connection.hpp"

namespace actionlog::store::postgres {

// The change-log entries of a write batch, kept in memory until the writer seals them (see
// writer.hpp). `head` is the provisional head the batch's jobs chain from: it starts at the
// genesis (seq 0) and AppendChange advances it; the seal gives the entries their final seq,
// prev_hash and hash after the committed head, in the same order.
struct BatchChain {
  struct Entry {
    ChangeEntry entry;
    int owner = 0;  // the owner tag (Connection::set_owner) of the job that appended it
  };

  ChainHead head{0, std::string(64, '0')};
  std::vector<Entry> entries;
};

// The chain head in the result of StmtId::kChainHead (the genesis when the log is empty).
ChainHead ReadChainHead(const PGresult* result);

class PgTransaction final : public WriteTransaction {
 public:
  // A read transaction when `chain` is null, else a write transaction appending after *chain.
  PgTransaction(Connection& conn, BatchChain* chain) : conn_(conn), chain_(chain) {}

  // A read transaction opened by the queued statement `begin`: when the first statement finds
  // the connection lost (e.g. the server dropped it while it was idle in the pool), it
  // reconnects once, queues `begin` again and retries.
  PgTransaction(Connection& conn, std::string_view begin)
      : conn_(conn), chain_(nullptr), begin_(begin) {}

  Result<std::optional<Instance>> GetInstance(std::string_view uuid) override;
  Result<std::optional<Action>> GetAction(std::string_view instance_uuid,
                                          std::string_view request_id) override;
  Result<std::vector<Action>> ListActions(const ActionPageQuery& query) override;
  Result<std::vector<Event>> ListEvents(std::int64_t action_id) override;
  Result<std::vector<ChangeEntry>> ReadChanges(std::int64_t after_seq, int limit) override;
  Result<ChainHead> GetChainHead() override;
  Result<std::optional<ChangeEntry>> LatestChangeFor(Entity entity, std::int64_t id) override;
  Result<std::optional<ChangeEntry>> LatestParentChangeFor(std::int64_t action_id) override;
  Result<std::int64_t> CountLoggedEntities(Entity entity) override;
  Result<std::vector<Instance>> ScanInstances(std::int64_t after_id, int limit) override;
  Result<std::vector<Action>> ScanActions(std::int64_t after_id, int limit) override;
  Result<std::vector<Event>> ScanEvents(std::int64_t after_id, int limit) override;

  Result<std::vector<Event>> FindEvents(std::int64_t action_id, std::string_view event) override;
  Result<std::optional<ActionAndEvents>> GetActionAndEvents(std::string_view instance_uuid,
                                                            std::string_view request_id,
                                                            std::string_view event) override;
  Status InsertInstance(Instance& row) override;
  Status InsertAction(Action& row) override;
  Status InsertEvent(Event& row) override;
  Status UpdateInstance(const Instance& row, std::int64_t expected_version) override;
  Status UpdateAction(const Action& row, std::int64_t expected_version) override;
  Status UpdateEvent(const Event& row, std::int64_t expected_version) override;
  Result<ChainHead> LockChainHead() override;
  Status AppendChange(const ChangeEntry& entry) override;

  // The error that aborted the PostgreSQL transaction, if a statement failed.
  const std::optional<Error>& Failure() const { return failure_; }

  // True when the failure was transient for the whole transaction (40001, 40P01, lost
  // connection): running the transaction again may succeed.
  bool Retry() const { return retry_; }

  // The owner tag (Connection::set_owner) of the statement behind failure().
  int FailedOwner() const { return failed_owner_; }

 private:
  Result<ResultPtr> Run(std::size_t id, const Params& params, std::string_view context);
  Result<ResultPtr> Reopen(std::size_t id, const Params& params, std::string_view context);
  void RecordFailure(const Error& error);
  template <class Row>
  void Remember(const Row& row);
  template <class Row>
  bool HoldsLocked(const Row& row, std::int64_t version) const;

  Result<ResultPtr> Run(StmtId id, const Params& params, std::string_view context) {
    return Run(Index(id), params, context);
  }

  template <class Row, class ReadFn>
  Result<std::vector<Row>> Collect(StmtId id, const Params& params, ReadFn read,
                                   std::string_view context);
  // The first row of Collect, if any.
  template <class Row, class ReadFn>
  Result<std::optional<Row>> First(StmtId id, const Params& params, ReadFn read,
                                   std::string_view context);
  Status AppendPage(std::size_t id, const Params& params, std::vector<Action>& out);
  template <class Row>
  Status Insert(StmtId id, StmtId with_id, Row& row, std::string_view what);
  template <class Row>
  Status Update(StmtId id, const Row& row, std::int64_t expected_version, std::string_view what);

  Connection& conn_;
  BatchChain* chain_;
  std::string_view begin_;
  bool ran_ = false;
  std::optional<Error> failure_;
  bool retry_ = false;
  int failed_owner_ = 0;
  // Rows a write transaction holds locked (read with FOR NO KEY UPDATE, inserted or updated),
  // with their version: an update of such a row at that version cannot miss, so it is queued
  // without waiting for its result.
  std::map<std::pair<Entity, std::int64_t>, std::int64_t> locked_;
};

}  // namespace actionlog::store::postgres
