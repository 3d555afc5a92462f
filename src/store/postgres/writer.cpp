#include "store/postgres/writer.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <random>
#include <string>
#include <utility>

#include "actionlog/core/change_log.hpp"
#include "store/common/backend.hpp"
#include "store/postgres/errors.hpp"
#include "store/postgres/rows.hpp"
#include "store/postgres/transaction.hpp"

namespace actionlog::store::postgres {
namespace {

// READ COMMITTED: every statement sees what committed before it started, so the chain head read
// after the lock is granted includes the previous holder's entries, and a FOR NO KEY UPDATE that
// waited returns the row as the other writer left it.
constexpr std::string_view kBegin = "BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE";
constexpr std::string_view kLockChain = "SELECT id FROM change_log_lock WHERE id = 1 FOR UPDATE";

// CanonicalBytes of an entry with seq 0 begins with this; the server writes `{"seq":<seq>` and the
// client sends the rest (from the ',' on).
constexpr std::string_view kSeqZero = "{\"seq\":0,";

// The owner tag of the batch's own statements (jobs are tagged with their index).
constexpr int kBatchOwner = -1;

void Backoff(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  const int base_ms = std::min(1 << std::min(attempt, 8), 200);
  std::uniform_int_distribution<int> jitter(base_ms / 2, base_ms + base_ms / 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(jitter(random)));
}

}  // namespace

void BatchRunner::Run(std::vector<WriteJob*>& batch, const Absorb& absorb) {
  isolate_ = false;
  Error error;
  for (int attempt = 1;;) {
    const Outcome outcome = TryBatch(batch, attempt == 1 ? &absorb : nullptr, error);
    if (outcome == Outcome::kDone) {
      return;
    }
    if (outcome == Outcome::kRerun) {
      continue;
    }
    if (outcome == Outcome::kRetry && attempt < kMaxAttempts) {
      Backoff(attempt++);
      continue;
    }
    if (outcome == Outcome::kRetry) {
      error = MakeError(ErrorCode::kUnavailable,
                        "gave up after " + std::to_string(attempt) + " attempts: " + error.message);
    }
    for (WriteJob* job : batch) {
      if (job->status) {
        job->status = error;
      }
    }
    return;
  }
}

BatchRunner::Outcome BatchRunner::Abandon(const Error& cause, Error& error) {
  return Abandon(kBatchOwner, cause, conn_->IsBroken() || IsRetryable(conn_->LastSqlstate()),
                 error);
}

BatchRunner::Outcome BatchRunner::Abandon(int owner, const Error& cause, bool retry, Error& error) {
  (void)conn_->Settle();
  if (!conn_->IsBroken()) {
    (void)conn_->ExecSql("ROLLBACK", "rolling back a write batch");
  }
  const auto index = static_cast<std::size_t>(owner);
  if (!retry && owner != kBatchOwner && index < active_.size() && active_[index]->status) {
    active_[index]->status = cause;
    active_[index]->failed = true;
    isolate_ = true;  // the jobs that ran were rolled back with it
    return Outcome::kRerun;
  }
  error = cause;
  return retry ? Outcome::kRetry : Outcome::kFailed;
}

BatchRunner::Outcome BatchRunner::SettleFailed(const Error& cause, Error& error) {
  return Abandon(conn_->FailedOwner(), cause,
                 conn_->IsBroken() || IsRetryable(conn_->LastSqlstate()), error);
}

bool BatchRunner::RunJob(std::size_t index, BatchChain& chain, Outcome& outcome, Error& error) {
  const bool savepoint = isolate_ && active_.size() > 1;
  const int owner = static_cast<int>(index);
  conn_->SetOwner(owner);
  if (savepoint) {
    if (auto begun = conn_->DeferSql("SAVEPOINT job", "starting a job"); !begun) {
      outcome = Abandon(begun.error(), error);
      return false;
    }
  }
  const ChainHead saved_head = chain.head;
  const std::size_t saved_entries = chain.entries.size();
  PgTransaction tx(*conn_, &chain);
  WriteJob& job = *active_[index];
  job.status = CallWrite(*job.fn, tx);
  if (tx.Failure().has_value() && (tx.Retry() || tx.FailedOwner() != owner)) {
    outcome = Abandon(tx.FailedOwner(), *tx.Failure(), tx.Retry(), error);
    return false;
  }
  if (job.status && !tx.Failure().has_value()) {
    if (!savepoint) {
      return true;
    }
    if (auto released = conn_->DeferSql("RELEASE SAVEPOINT job", "ending a job"); !released) {
      outcome = Abandon(released.error(), error);
      return false;
    }
    return true;
  }
  if (job.status) {
    job.status = *tx.Failure();
  }
  chain.head = saved_head;
  chain.entries.resize(saved_entries);
  return EndFailedJob(index, savepoint, outcome, error);
}

bool BatchRunner::EndFailedJob(std::size_t index, bool savepoint, Outcome& outcome, Error& error) {
  if (!savepoint) {
    // Without a savepoint the job's work can only be undone with the whole transaction. The job
    // keeps its error; the others run again without it, in savepoints if any of them had run.
    (void)conn_->Settle();
    auto undo = conn_->ExecSql("ROLLBACK", "rolling back a failed job");
    if (!undo) {
      outcome = Abandon(undo.error(), error);
      return false;
    }
    if (active_.size() == 1) {
      outcome = Outcome::kDone;
      return false;
    }
    active_[index]->failed = true;
    isolate_ = isolate_ || index > 0;
    outcome = Outcome::kRerun;
    return false;
  }
  // ROLLBACK TO keeps the savepoint; release it so that the next job's is not nested in it.
  auto undo = conn_->DeferSql("ROLLBACK TO SAVEPOINT job", "rolling back a failed job");
  if (undo) {
    undo = conn_->DeferSql("RELEASE SAVEPOINT job", "rolling back a failed job");
  }
  if (!undo) {
    outcome = Abandon(undo.error(), error);
    return false;
  }
  return true;
}

BatchRunner::Outcome BatchRunner::SealAndCommit(BatchChain& chain, Error& error) {
  conn_->SetOwner(kBatchOwner);
  if (!chain.entries.empty()) {
    // The lock, the inserts and COMMIT travel together with the last job's queued statements:
    // one round trip, which waits for the previous holder's COMMIT. Each insert reads the head
    // (including the batch's entries inserted before it) and computes seq, prev_hash and hash.
    if (auto locked = conn_->DeferSql(kLockChain, "taking the change log lock"); !locked) {
      return Abandon(locked.error(), error);
    }
    for (BatchChain::Entry& pending : chain.entries) {
      pending.entry.seq = 0;
      const std::string canonical = CanonicalBytes(pending.entry);
      if (!canonical.starts_with(kSeqZero)) {
        return Abandon(MakeError(ErrorCode::kInternal,
                                 "the canonical bytes of a change-log entry do not begin with seq"),
                       error);
      }
      conn_->SetOwner(pending.owner);
      if (auto queued = conn_->Defer(
              StmtId::kSealChange, false,
              SealParams(pending.entry, std::string_view(canonical).substr(kSeqZero.size() - 1)),
              "appending to the change log");
          !queued) {
        return Abandon(queued.error(), error);
      }
    }
    conn_->SetOwner(kBatchOwner);
  }
  ResultPtr commit;
  auto committed = conn_->DeferSql("COMMIT", "committing a write batch", &commit);
  if (committed) {
    committed = conn_->Settle();
  }
  if (!committed && conn_->IsBroken()) {
    error = MakeError(ErrorCode::kUnavailable,
                      "the connection was lost during COMMIT; the outcome is unknown: " +
                          committed.error().message);
    return Outcome::kFailed;
  }
  if (!committed) {
    return SettleFailed(committed.error(), error);
  }
  if (std::string_view(PQcmdStatus(commit.get())) != "COMMIT") {
    error = MakeError(ErrorCode::kInternal, "the write batch was rolled back by the server");
    return Outcome::kFailed;
  }
  return Outcome::kDone;
}

BatchRunner::Outcome BatchRunner::TryBatch(std::vector<WriteJob*>& batch, const Absorb* absorb,
                                           Error& error) {
  if (conn_->IsBroken()) {
    if (auto reconnected = conn_->Reconnect(); !reconnected) {
      error = reconnected.error();
      return Outcome::kRetry;
    }
  }
  active_.clear();
  for (WriteJob* job : batch) {
    if (!job->failed) {
      job->status = OkStatus();
      active_.push_back(job);
    }
  }
  if (active_.empty()) {
    return Outcome::kDone;
  }
  BatchChain chain;
  conn_->SetOwner(kBatchOwner);
  if (auto begun = conn_->DeferSql(kBegin, "starting a write batch"); !begun) {
    return Abandon(begun.error(), error);
  }
  for (std::size_t i = 0;; ++i) {
    if (i == active_.size()) {
      const std::size_t before = batch.size();
      if (absorb == nullptr || !(*absorb)(batch)) {
        break;
      }
      for (std::size_t j = before; j < batch.size(); ++j) {
        batch[j]->status = OkStatus();
        active_.push_back(batch[j]);
      }
    }
    Outcome outcome = Outcome::kDone;
    if (!RunJob(i, chain, outcome, error)) {
      return outcome;
    }
  }
  return SealAndCommit(chain, error);
}

GroupCommitWriter::GroupCommitWriter(std::vector<std::unique_ptr<Connection>> conns, int max_batch)
    : max_batch_(static_cast<std::size_t>(std::clamp(max_batch, 1, kMaxJobsPerBatch))) {
  for (auto& conn : conns) {
    runners_.push_back(std::make_unique<BatchRunner>(std::move(conn)));
  }
  for (auto& runner : runners_) {
    threads_.emplace_back([this, r = runner.get()] { Loop(*r); });
  }
}

GroupCommitWriter::~GroupCommitWriter() {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& thread : threads_) {
    thread.join();
  }
}

Status GroupCommitWriter::Submit(const WriteFn& fn) {
  WriteJob job;
  job.fn = &fn;
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&job);
  work_cv_.notify_one();
  done_cv_.wait(lock, [&] { return job.done; });
  return std::move(job.status);
}

bool GroupCommitWriter::Absorb(const BatchRunner& runner, std::vector<WriteJob*>& batch) {
  const std::lock_guard<std::mutex> lock(mu_);
  if (collector_ != &runner) {
    return false;
  }
  const std::size_t before = batch.size();
  while (!queue_.empty() && batch.size() < max_batch_) {
    batch.push_back(queue_.front());
    queue_.pop_front();
  }
  if (batch.size() > before && batch.size() < max_batch_) {
    return true;
  }
  collector_ = nullptr;
  work_cv_.notify_one();
  return batch.size() > before;
}

void GroupCommitWriter::Loop(BatchRunner& runner) {
  std::vector<WriteJob*> batch;
  const BatchRunner::Absorb absorb = [this, &runner](std::vector<WriteJob*>& jobs) {
    return Absorb(runner, jobs);
  };
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] {
        return (stopping_ && queue_.empty()) || (!queue_.empty() && collector_ == nullptr);
      });
      if (queue_.empty()) {
        work_cv_.notify_all();  // the others may have gone back to sleep while jobs were queued
        return;
      }
      collector_ = &runner;
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    runner.Run(batch, absorb);
    {
      const std::lock_guard<std::mutex> lock(mu_);
      for (WriteJob* job : batch) {
        job->done = true;
      }
      if (collector_ == &runner) {
        collector_ = nullptr;
        work_cv_.notify_one();
      }
    }
    batch.clear();
    done_cv_.notify_all();
  }
}

}  // namespace actionlog::store::postgres
