// Group commit: queued writes are committed together, by one of their own callers.
//
// Submit() queues a job and blocks until it is durable or failed. The caller whose job is at the
// front of the queue leads (LevelDB's writer queue): it takes up to max_batch queued jobs, runs
// BEGIN IMMEDIATE, runs the jobs, then COMMITs once: one sync for the whole batch. Then it wakes
// the jobs it ran and hands the lead to the next queued job. A lone writer runs its own job on
// its own thread, with no hand-off. A failing job never touches the others: the jobs first run
// without savepoints; when one fails, the transaction is rolled back, that job keeps its error
// and the rest of the batch runs again with each job in its own SAVEPOINT (released on success,
// rolled back on error). If BEGIN or COMMIT fails, every job of the batch that had succeeded
// gets that error; nothing of the batch is acknowledged.
//
// Thread-safety: Submit() may be called from any number of threads. The connection is used
// only with `conn_mu` held (so the store may borrow it between batches). Destroy the writer only
// when no Submit() is running. Submit() from inside a job deadlocks.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "actionlog/store/store.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/transaction.hpp"

namespace actionlog::store::sqlite {

class GroupCommitWriter {
 public:
  GroupCommitWriter(Connection& conn, std::mutex& conn_mu, int max_batch);
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Runs `fn` in a write transaction; returns its status once committed, or the store error.
  Status Submit(const WriteFn& fn);

 private:
  struct Job {
    const WriteFn* fn = nullptr;
    Status status;
    bool done = false;
    std::condition_variable done_cv;  // wakes only this job's caller
  };

  // Takes the group led by `leader` from the queue, runs it, wakes its other members.
  void Lead(Job& leader, std::unique_lock<std::mutex>& lock);
  void RunBatch();
  // Runs jobs [first, end) in one transaction, each in a savepoint once `isolate` is set (a job
  // failed earlier in this batch). Returns the index of the first job not settled: less than
  // end when SQLite abandoned the transaction midway, or when a job failed without a savepoint
  // (it is then moved to `first`, keeps its error, and `isolate` is set for the jobs after it).
  std::size_t RunTransaction(std::size_t first, bool& isolate);
  // Runs one job, in a savepoint when `savepoint`. Returns false when the transaction must be
  // rolled back: it is unusable (`tx_error` says why), or the job failed without a savepoint
  // (`tx_error` is OK; the job keeps its own error).
  bool RunJob(Job& job, bool savepoint, Status& tx_error);
  void FailSucceeded(std::size_t first, std::size_t end, const Status& error);

  Connection& conn_;
  std::mutex& conn_mu_;
  const std::size_t max_batch_;
  SqliteTransaction tx_;
  std::vector<Job*> batch_;  // used by the current leader only; its jobs, in any order

  std::mutex mu_;
  std::deque<Job*> queue_;  // front: the leader's job, then the jobs waiting
  bool stopping_ = false;
};

}  // namespace actionlog::store::sqlite
