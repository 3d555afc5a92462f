#include "store/sqlite/writer.hpp"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <string>
#include <utility>

#include "store/common/backend.hpp"
#include "store/sqlite/errors.hpp"

namespace actionlog::store::sqlite {
namespace {

Status RunControl(Connection& conn, StmtId id, std::string_view context) {
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn.Get(id));
  return stmt.Run(context);
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(Connection& conn, std::mutex& conn_mu, int max_batch)
    : conn_(conn),
      conn_mu_(conn_mu),
      max_batch_(max_batch > 0 ? static_cast<std::size_t>(max_batch) : 1),
      tx_(conn) {}

GroupCommitWriter::~GroupCommitWriter() {
  const std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
}

Status GroupCommitWriter::Submit(const WriteFn& fn) {
  Job job;
  job.fn = &fn;
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) {
    return MakeError(ErrorCode::kUnavailable, "the SQLite store is closing");
  }
  queue_.push_back(&job);
  job.done_cv.wait(lock, [&] { return job.done || queue_.front() == &job; });
  if (!job.done) {
    Lead(job, lock);
  }
  return std::move(job.status);
}

void GroupCommitWriter::Lead(Job& leader, std::unique_lock<std::mutex>& lock) {
  batch_.clear();
  for (Job* queued : queue_) {
    if (batch_.size() == max_batch_) {
      break;
    }
    batch_.push_back(queued);
  }
  lock.unlock();
  RunBatch();
  lock.lock();
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(batch_.size()));
  for (Job* job : batch_) {
    job->done = true;
    if (job != &leader) {
      // Notified under mu_: the caller cannot return (destroying the job) before we are done.
      job->done_cv.notify_one();
    }
  }
  if (!queue_.empty()) {
    queue_.front()->done_cv.notify_one();  // the next group's leader
  }
}

void GroupCommitWriter::RunBatch() {
  const std::lock_guard<std::mutex> lock(conn_mu_);
  std::size_t next = 0;
  bool isolate = false;
  while (next < batch_.size()) {
    next = RunTransaction(next, isolate);
  }
}

std::size_t GroupCommitWriter::RunTransaction(std::size_t first, bool& isolate) {
  const Status begin = RunControl(conn_, StmtId::kBeginImmediate, "starting a write transaction");
  if (!begin) {
    for (std::size_t i = first; i < batch_.size(); ++i) {
      batch_[i]->status = begin;
    }
    return batch_.size();
  }
  // Jobs run without savepoints until one fails (the common case costs no SAVEPOINT/RELEASE and
  // no statement journal). A job that fails then rolls back the whole transaction: it keeps its
  // error, and the jobs before it run again, each in its own savepoint (Store::Write's callbacks
  // may run more than once). A job alone in its transaction never needs a savepoint.
  const bool savepoints = isolate && batch_.size() - first > 1;
  for (std::size_t i = first; i < batch_.size(); ++i) {
    Status tx_error;
    if (!RunJob(*batch_[i], savepoints, tx_error)) {
      if (sqlite3_get_autocommit(conn_.Handle()) == 0) {
        (void)RunControl(conn_, StmtId::kRollback, "rolling back a write transaction");
      }
      if (tx_error && i > first) {
        // Jobs [first, i) were undone with it: move the failed job before them and run them
        // again, isolated.
        std::rotate(batch_.begin() + static_cast<std::ptrdiff_t>(first),
                    batch_.begin() + static_cast<std::ptrdiff_t>(i),
                    batch_.begin() + static_cast<std::ptrdiff_t>(i + 1));
        isolate = true;
        return first + 1;
      }
      FailSucceeded(first, i + 1, tx_error);
      return i + 1;
    }
  }
  const Status commit = RunControl(conn_, StmtId::kCommit, "committing a write transaction");
  if (!commit) {
    if (sqlite3_get_autocommit(conn_.Handle()) == 0) {
      (void)RunControl(conn_, StmtId::kRollback, "rolling back a write transaction");
    }
    FailSucceeded(first, batch_.size(), commit);
  }
  return batch_.size();
}

bool GroupCommitWriter::RunJob(Job& job, bool savepoint, Status& tx_error) {
  if (savepoint) {
    tx_error = RunControl(conn_, StmtId::kSavepoint, "starting a savepoint");
    if (!tx_error) {
      job.status = tx_error;
      return false;
    }
  }
  job.status = CallWrite(*job.fn, tx_);
  if (sqlite3_get_autocommit(conn_.Handle()) != 0) {
    // SQLite rolled the whole transaction back (e.g. SQLITE_FULL or an I/O error).
    tx_error = job.status
                   ? MakeError(ErrorCode::kUnavailable, "SQLite abandoned the write transaction")
                   : job.status;
    job.status = tx_error;
    return false;
  }
  if (!savepoint) {  // on failure the caller rolls the transaction back; the job keeps its error
    tx_error = OkStatus();
    return static_cast<bool>(job.status);
  }
  if (job.status) {
    tx_error = RunControl(conn_, StmtId::kRelease, "releasing a savepoint");
  } else {
    tx_error = RunControl(conn_, StmtId::kRollbackTo, "rolling back a savepoint");
    if (tx_error) {
      tx_error = RunControl(conn_, StmtId::kRelease, "releasing a savepoint");
    }
  }
  if (!tx_error) {
    if (job.status) {
      job.status = tx_error;
    }
    return false;
  }
  return true;
}

void GroupCommitWriter::FailSucceeded(std::size_t first, std::size_t end, const Status& error) {
  for (std::size_t i = first; i < end; ++i) {
    if (batch_[i]->status) {
      batch_[i]->status = error;
    }
  }
}

}  // namespace actionlog::store::sqlite
