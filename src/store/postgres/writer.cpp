#include "store/postgres/writer.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <exception>
#include <random>
#include <string>
#include <utility>

#include "store/postgres/errors.hpp"
#include "store/postgres/transaction.hpp"

namespace actionlog::store::postgres {
namespace {

// READ COMMITTED: every statement sees what committed before it started, so the chain head read
// after the lock is granted includes the previous holder's entries, and a FOR NO KEY UPDATE that
// waited returns the row as the other writer left it.
constexpr std::string_view kBegin =
    "BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE;"
    " SELECT id FROM change_log_lock WHERE id = 1 FOR UPDATE;";
constexpr std::string_view kReadHead =
    " SELECT seq, hash FROM change_log ORDER BY seq DESC LIMIT 1";

Status CallWrite(const WriteFn& fn, WriteTransaction& tx) {
  try {
    return fn(tx);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal,
                     std::string("write callback threw an exception: ") + e.what());
  } catch (...) {
    return MakeError(ErrorCode::kInternal, "write callback threw an unknown exception");
  }
}

void Backoff(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  const int base_ms = std::min(1 << std::min(attempt, 8), 200);
  std::uniform_int_distribution<int> jitter(base_ms / 2, base_ms + base_ms / 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(jitter(random)));
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<Connection> conn, int max_batch)
    : conn_(std::move(conn)),
      max_batch_(static_cast<std::size_t>(std::clamp(max_batch, 1, kMaxJobsPerBatch))),
      thread_([this] { Loop(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_one();
  thread_.join();
}

Status GroupCommitWriter::Submit(const WriteFn& fn) {
  Job job;
  job.fn = &fn;
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&job);
  work_cv_.notify_one();
  done_cv_.wait(lock, [&] { return job.done; });
  return std::move(job.status);
}

void GroupCommitWriter::Loop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;
      }
      while (!queue_.empty() && batch_.size() < max_batch_) {
        batch_.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    RunBatch();
    {
      const std::lock_guard<std::mutex> lock(mu_);
      for (Job* job : batch_) {
        job->done = true;
      }
    }
    batch_.clear();
    done_cv_.notify_all();
  }
}

void GroupCommitWriter::RunBatch() {
  Error error;
  for (int attempt = 1;; ++attempt) {
    const Outcome outcome = TryBatch(error);
    if (outcome == Outcome::kDone) {
      return;
    }
    if (outcome == Outcome::kRetry && attempt < kMaxAttempts) {
      Backoff(attempt);
      continue;
    }
    if (outcome == Outcome::kRetry) {
      error = MakeError(ErrorCode::kUnavailable,
                        "gave up after " + std::to_string(attempt) + " attempts: " + error.message);
    }
    for (Job* job : batch_) {
      if (job->status) {
        job->status = error;
      }
    }
    return;
  }
}

GroupCommitWriter::Outcome GroupCommitWriter::Abandon(const Error& cause, Error& error) {
  error = cause;
  const bool retry = conn_->IsBroken() || IsRetryable(conn_->last_sqlstate());
  if (!conn_->IsBroken()) {
    (void)conn_->ExecSql("ROLLBACK", "rolling back a write batch");
  }
  return retry ? Outcome::kRetry : Outcome::kFailed;
}

Result<ChainHead> GroupCommitWriter::Begin(bool savepoint) {
  std::string sql(kBegin);
  if (savepoint) {
    sql += " SAVEPOINT job;";
  }
  sql += kReadHead;
  ACTIONLOG_ASSIGN_OR_RETURN(ResultPtr result, conn_->ExecSql(sql, "starting a write batch"));
  if (PQntuples(result.get()) == 0) {
    return ChainHead{0, std::string(64, '0')};
  }
  ChainHead head;
  const std::string_view seq = PQgetvalue(result.get(), 0, 0);
  std::from_chars(seq.data(), seq.data() + seq.size(), head.seq);
  head.hash = PQgetvalue(result.get(), 0, 1);
  return head;
}

bool GroupCommitWriter::RunJob(Job& job, ChainHead& chain, bool single, bool last, Outcome& outcome,
                               Error& error) {
  const ChainHead saved = chain;
  PgTransaction tx(*conn_, &chain);
  Status status = CallWrite(*job.fn, tx);
  if (tx.retry()) {
    outcome = Abandon(*tx.failure(), error);
    return false;
  }
  if (status && !tx.failure().has_value()) {
    job.status = OkStatus();
    if (!single && !last) {
      auto next = conn_->ExecSql("RELEASE SAVEPOINT job; SAVEPOINT job", "committing a job");
      if (!next) {
        outcome = Abandon(next.error(), error);
        return false;
      }
    }
    return true;
  }
  job.status = status ? Status(*tx.failure()) : std::move(status);
  chain = saved;
  auto undo = conn_->ExecSql(single ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT job",
                             "rolling back a failed job");
  if (!undo) {
    outcome = Abandon(undo.error(), error);
    return false;
  }
  if (single) {
    outcome = Outcome::kDone;
    return false;
  }
  return true;
}

GroupCommitWriter::Outcome GroupCommitWriter::TryBatch(Error& error) {
  if (conn_->IsBroken()) {
    if (auto reconnected = conn_->Reconnect(); !reconnected) {
      error = reconnected.error();
      return Outcome::kRetry;
    }
  }
  for (Job* job : batch_) {
    job->status = OkStatus();
  }
  const bool single = batch_.size() == 1;
  auto head = Begin(!single);
  if (!head) {
    return Abandon(head.error(), error);
  }
  ChainHead chain = std::move(*head);
  for (std::size_t i = 0; i < batch_.size(); ++i) {
    Outcome outcome = Outcome::kDone;
    if (!RunJob(*batch_[i], chain, single, i + 1 == batch_.size(), outcome, error)) {
      return outcome;
    }
  }
  auto commit = conn_->ExecSql("COMMIT", "committing a write batch");
  if (!commit) {
    if (conn_->IsBroken()) {
      error = MakeError(ErrorCode::kUnavailable,
                        "the connection was lost during COMMIT; the outcome is unknown: " +
                            commit.error().message);
      return Outcome::kFailed;
    }
    return Abandon(commit.error(), error);
  }
  if (std::string_view(PQcmdStatus(commit->get())) != "COMMIT") {
    error = MakeError(ErrorCode::kInternal, "the write batch was rolled back by the server");
    return Outcome::kFailed;
  }
  return Outcome::kDone;
}

}  // namespace actionlog::store::postgres
