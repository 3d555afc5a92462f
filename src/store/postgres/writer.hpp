// Group commit: one thread owns the write connection and commits queued writes together.
//
// Submit() queues a job and blocks until it is durable or failed. The writer thread takes up to
// max_batch queued jobs and runs them in one PostgreSQL transaction:
//
//   BEGIN; SELECT ... FROM change_log_lock FOR UPDATE; SELECT <chain head>;
//   SAVEPOINT job; job 1 ... RELEASE SAVEPOINT job; SAVEPOINT job; job 2 ... COMMIT
//
// Each job runs in its own savepoint (released on success, rolled back on error, so a failing
// job never touches the others; a batch of one job needs none), and the batch shares one COMMIT
// and so one WAL flush. The lock on the single change_log_lock row orders whole batches across
// every process writing to the database, which keeps the hash chain linear; it is taken first,
// before any row lock, so writers of actionlog never deadlock with each other.
//
// Round trips: statements whose result nobody waits for (BEGIN, the lock, the head query,
// SAVEPOINT, RELEASE, ROLLBACK TO SAVEPOINT, change-log inserts, COMMIT) are queued in libpq
// pipeline mode and travel with the next statement that needs an answer (Connection::Defer), so
// a job costs one round trip per read, insert or update it makes, and the batch one more for
// COMMIT. A queued statement that fails surfaces one or more statements later; its owner tag
// says which job queued it. When that is an earlier job whose callback already succeeded, the
// transaction is rolled back, that job alone fails with the error, and the batch runs again
// without it.
//
// A serialization failure (40001), a deadlock (40P01) or a connection lost before COMMIT rolls
// the batch back and runs every job again, with backoff, at most kMaxAttempts times (jobs are
// documented as re-runnable); then the jobs get kUnavailable. A connection lost during COMMIT
// leaves the outcome unknown: the jobs get kUnavailable and the journal's idempotent replay
// makes the client's retry safe.
//
// Thread-safety: Submit() may be called from any number of threads. The destructor lets the
// thread finish every queued job, then joins it. Submit() from inside a job deadlocks.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
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
// makes every snapshot of every session slower (subtransaction overflow). One job = one
// savepoint, so a batch holds at most this many jobs.
inline constexpr int kMaxJobsPerBatch = 64;

class GroupCommitWriter {
 public:
  GroupCommitWriter(std::unique_ptr<Connection> conn, int max_batch);
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Runs `fn` in a write transaction; returns its status once committed, or the store error.
  Status Submit(const WriteFn& fn);

 private:
  struct Job {
    const WriteFn* fn = nullptr;
    Status status;
    bool failed = false;  // failed for good in an earlier attempt of its batch
    bool done = false;
  };

  // kRerun: one job failed for good (Job::failed); run the others again at once.
  enum class Outcome : std::uint8_t { kDone, kRetry, kRerun, kFailed };

  void Loop();
  void RunBatch();
  // One attempt at the whole batch. On kRetry/kFailed, `error` says why.
  Outcome TryBatch(Error& error);
  Status Begin(BatchChain& chain);
  // Runs active_[index]; false when the transaction must be abandoned (`outcome` says how).
  bool RunJob(std::size_t index, BatchChain& chain, Outcome& outcome, Error& error);
  // After a failed job: rolls it back alone, or abandons the batch.
  bool EndFailedJob(Outcome& outcome, Error& error);
  Outcome Commit(Error& error);
  // A failure of a statement queued by `owner` that surfaced later.
  Outcome Abandon(int owner, const Error& cause, bool retry, Error& error);
  Outcome Abandon(const Error& cause, Error& error);

  std::unique_ptr<Connection> conn_;  // used by the writer thread only
  const std::size_t max_batch_;
  std::vector<Job*> batch_;   // used by the writer thread only
  std::vector<Job*> active_;  // the jobs of the current attempt; writer thread only

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<Job*> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything above is ready
};

}  // namespace actionlog::store::postgres
