// Group commit: a few writer connections run queued writes in batches, one transaction each.
//
// Submit() queues a job and blocks until it is durable or failed. kWriterConnections threads,
// each owning one connection, run batches of up to max_batch queued jobs, one PostgreSQL
// transaction each. One runner at a time collects: it takes the queued jobs, runs them, takes
// the jobs queued meanwhile, and so on; when the queue is empty it hands collecting to the next
// idle runner and seals its batch:
//
//   BEGIN; job 1 ...; job 2 ...; ...
//   SELECT ... FROM change_log_lock FOR UPDATE;                  -- the seal
//   INSERT INTO change_log ... (one per entry of the batch); COMMIT
//
// The jobs run without savepoints, and the batch shares one COMMIT and so one WAL flush. A job
// that fails rolls the transaction back: it keeps its error and the batch runs again without it
// (kRerun); if other jobs had run before it, the rerun puts each job in its own savepoint
// (SAVEPOINT job ... RELEASE, or ROLLBACK TO on error), so a failing job never touches the others
// and no job runs more than twice for this reason. The jobs' change-log entries are kept in memory
// (BatchChain, chained from a provisional head) and sealed at the end: the lock on the single
// change_log_lock row orders the seals of every connection of every process writing to the
// database; under it each insert (StmtId::kSealChange) reads the head its transaction sees — the
// previous holder's committed entries and the batch's own earlier ones — and the server computes
// seq = head + 1, prev_hash = head's hash and hash = SHA-256(prev_hash || canonical bytes)
// (ChainHash; the client sends the canonical bytes after the leading seq field). Only the seal and
// the COMMIT's WAL flush are serialized; the jobs of several batches (their reads, row locks,
// inserts and updates) run in parallel. The chain lock is the last lock a batch takes, and after it
// the batch only inserts change-log rows, so its holder never waits for another writer: the chain
// lock takes part in no deadlock. A batch without entries (replays, failed jobs) commits without
// taking it.
//
// Round trips: statements whose result nobody waits for (BEGIN, the savepoint statements,
// updates of rows the job holds locked, the seal, COMMIT) are queued in libpq pipeline mode and
// travel with the next statement that needs an answer (Connection::Defer): a job costs one round
// trip per read or insert, and the seal with COMMIT one. A queued statement
// that fails surfaces later; its owner tag says which job queued it (the change-log inserts
// carry their job's tag too). When that is a job whose callback already succeeded, the
// transaction is rolled back, that job alone fails with the error, and the batch runs again
// without it.
//
// Rows locked by one batch are released at its COMMIT, so a job that needs a row another batch
// holds waits for that batch's seal; two batches that each wait for a row of the other deadlock,
// which PostgreSQL detects (deadlock_timeout) and resolves by aborting one of them (40P01,
// retried below).
//
// A serialization failure (40001), a deadlock (40P01) or a connection lost before COMMIT rolls
// the batch back and runs every job again, with backoff, at most kMaxAttempts times (jobs are
// documented as re-runnable); then the jobs get kUnavailable. A connection lost during COMMIT
// leaves the outcome unknown: the jobs get kUnavailable and the journal's idempotent replay
// makes the client's retry safe.
//
// Thread-safety: Submit() may be called from any number of threads. The destructor lets the
// threads finish every queued job, then joins them. Submit() from inside a job deadlocks.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "actionlog/store/store.hpp"
#include "store/postgres/connection.hpp"
#include "store/postgres/transaction.hpp"

namespace actionlog::store::postgres {

inline constexpr int kMaxAttempts = 10;

// PostgreSQL keeps the ids of at most 64 subtransactions per backend in shared memory; more
// makes every snapshot of every session slower (subtransaction overflow). A batch running in
// savepoints has one per job, so a batch holds at most this many jobs.
inline constexpr int kMaxJobsPerBatch = 64;

// Writer connections per store: batches run their jobs in parallel and queue only for the seal.
inline constexpr int kWriterConnections = 4;

// One queued Write call.
struct WriteJob {
  const WriteFn* fn = nullptr;
  Status status;
  bool failed = false;  // failed for good in an earlier attempt of its batch
  bool done = false;
};

// Runs batches of jobs on one connection. Used by one thread at a time.
class BatchRunner {
 public:
  explicit BatchRunner(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}

  // Appends more queued jobs to the batch before it is sealed; false when there are none (and
  // from then on).
  using Absorb = std::function<bool(std::vector<WriteJob*>& batch)>;

  // Runs `batch` (retrying as above); every job's status is set when it returns. Before the seal
  // of the first attempt, `absorb` may add the jobs queued meanwhile.
  void Run(std::vector<WriteJob*>& batch, const Absorb& absorb);

 private:
  // kRerun: one job failed for good (WriteJob::failed); run the others again at once.
  enum class Outcome : std::uint8_t { kDone, kRetry, kRerun, kFailed };

  // One attempt at the whole batch. On kRetry/kFailed, `error` says why.
  Outcome TryBatch(std::vector<WriteJob*>& batch, const Absorb* absorb, Error& error);
  // Runs active_[index]; false when the transaction must be abandoned (`outcome` says how).
  bool RunJob(std::size_t index, BatchChain& chain, Outcome& outcome, Error& error);
  // After active_[index] failed: rolls it back to its savepoint, or rolls the transaction back
  // and asks for the others to run again (kRerun).
  bool EndFailedJob(std::size_t index, bool savepoint, Outcome& outcome, Error& error);
  // Seals the batch's change-log entries under the chain lock, then commits.
  Outcome SealAndCommit(BatchChain& chain, Error& error);
  // A failure of a statement queued by `owner` that surfaced later.
  Outcome Abandon(int owner, const Error& cause, bool retry, Error& error);
  Outcome Abandon(const Error& cause, Error& error);
  // The outcome of a failed Settle(): whose statement failed, and whether to retry.
  Outcome SettleFailed(const Error& cause, Error& error);

  std::unique_ptr<Connection> conn_;
  std::vector<WriteJob*> active_;  // the jobs of the current attempt
  // Jobs run in savepoints only after a failure rolled back jobs that had succeeded (Run).
  bool isolate_ = false;
};

class GroupCommitWriter {
 public:
  // One writer thread per connection.
  GroupCommitWriter(std::vector<std::unique_ptr<Connection>> conns, int max_batch);
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Runs `fn` in a write transaction; returns its status once committed, or the store error.
  Status Submit(const WriteFn& fn);

 private:
  void Loop(BatchRunner& runner);
  // Moves queued jobs into `batch` (up to max_batch_) while this runner collects; when there
  // are none, lets another runner collect the next batch.
  bool Absorb(const BatchRunner& runner, std::vector<WriteJob*>& batch);

  const std::size_t max_batch_;
  std::vector<std::unique_ptr<BatchRunner>> runners_;

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<WriteJob*> queue_;
  bool stopping_ = false;
  // A runner is taking queued jobs into its batch. Only one at a time: jobs that arrive while a
  // batch runs join it instead of starting a batch of their own on another connection, so each
  // seal (and WAL flush) carries as many jobs as possible.
  const BatchRunner* collector_ = nullptr;
  std::vector<std::thread> threads_;  // last: start after everything above is ready
};

}  // namespace actionlog::store::postgres
