// Group commit: queued writes are committed together, by one of their own callers.
//
// Submit() queues a job and blocks until it is durable or failed. The caller whose job is at the
// front of the queue leads (LevelDB's writer queue): it takes up to max_batch queued jobs, runs
// BEGIN IMMEDIATE, runs each job inside its own SAVEPOINT (released on success, rolled back on
// error, so a failing job never touches the others), then COMMITs once: one sync for the whole
// batch. Then it wakes the jobs it ran and hands the lead to the next queued job. A lone writer
// runs its own job on its own thread, with no hand-off. If BEGIN or COMMIT fails, every job of
// the batch that had succeeded gets that error; nothing of the batch is acknowledged.
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
  // Runs jobs [first, end) in one transaction; returns the index of the first job not run
  // (less than end only when SQLite abandoned the transaction midway).
  std::size_t RunTransaction(std::size_t first);
  // Runs one job in a savepoint, or without one when it is `alone` in its transaction. Returns
  // false when the transaction must be rolled back: it is unusable (`tx_error` says why), or the
  // job was alone and failed (`tx_error` is OK; the job keeps its own error).
  bool RunJob(Job& job, bool alone, Status& tx_error);
  void FailSucceeded(std::size_t first, std::size_t end, const Status& error);

  Connection& conn_;
  std::mutex& conn_mu_;
  const std::size_t max_batch_;
  SqliteTransaction tx_;
  std::vector<Job*> batch_;  // used by the current leader only

  std::mutex mu_;
  std::deque<Job*> queue_;  // front: the leader's job, then the jobs waiting
  bool stopping_ = false;
};

}  // namespace actionlog::store::sqlite
