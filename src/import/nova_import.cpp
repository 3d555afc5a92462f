#include "import/nova_import.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "import/keyed_worker_pool.hpp"

namespace actionlog::import {
namespace {

constexpr std::size_t kQueuePerWorker = 64;

// Errors that say something about the store rather than about one record.
bool IsFatal(ErrorCode code) {
  return code == ErrorCode::kUnavailable || code == ErrorCode::kDataLoss ||
         code == ErrorCode::kInternal || code == ErrorCode::kUnsupported;
}

std::string ActionContext(const Action& a) {
  return "instance " + a.instance_uuid + " request " + a.request_id;
}

std::string EventContext(const Action& a, const Event& e) {
  return "action " + std::to_string(a.id) + " event " + e.event;
}

class Importer {
 public:
  Importer(Journal& journal, const ImportOptions& options) : journal_(journal), options_(options) {
    if (options.jobs > 1) {
      pool_ = std::make_unique<KeyedWorkerPool>(options.jobs, kQueuePerWorker);
    }
  }

  Result<ImportSummary> Run(NovaSource& source) {
    const NovaSink sink{
        .on_instance = [this](Instance row) { return OnInstance(std::move(row)); },
        .on_action = [this](ActionWithEvents row) { return OnAction(std::move(row)); },
        .on_reject = [this](const Rejection& r) { Reject(r); },
    };
    Status read = source.ReadInstances(sink);
    Drain();
    if (read) {
      read = source.ReadActions(sink);
      Drain();
    }
    const std::lock_guard lock(mu_);
    if (fatal_) {
      return *fatal_;
    }
    if (!read) {
      return read.error();
    }
    return summary_;
  }

 private:
  Status OnInstance(Instance row) {
    const std::size_t key = std::hash<std::string>{}(row.uuid);
    return Dispatch(key, [this, row = std::move(row)] { CloneInstance(row); });
  }

  Status OnAction(ActionWithEvents row) {
    const std::size_t key = std::hash<std::string>{}(row.action.instance_uuid);
    return Dispatch(key, [this, row = std::move(row)] { CloneAction(row); });
  }

  Status Dispatch(std::size_t key, std::function<void()> task) {
    if (failed_.load()) {
      const std::lock_guard lock(mu_);
      return *fatal_;
    }
    if (pool_) {
      pool_->Submit(key, std::move(task));
    } else {
      task();
    }
    return OkStatus();
  }

  void Drain() {
    if (pool_) {
      pool_->Drain();
    }
  }

  void CloneInstance(const Instance& row) {
    if (failed_.load()) {
      return;
    }
    Result<Written<Instance>> written =
        journal_.CloneInstance(options_.actor, row, CloneMode::kAdvance);
    if (written) {
      const std::lock_guard lock(mu_);
      Tally(summary_.instances, *written);
    } else if (!Fatal(written.error())) {
      Reject({"instances", row.id, "instance " + row.uuid, written.error().code,
              written.error().message});
    }
  }

  // All or nothing: a refused action is reported together with each of its events.
  void CloneAction(const ActionWithEvents& row) {
    if (failed_.load()) {
      return;
    }
    Result<ClonedAction> written =
        journal_.CloneActionWithEvents(options_.actor, row, CloneMode::kAdvance);
    if (written) {
      const std::lock_guard lock(mu_);
      Tally(summary_.actions, *written);
      summary_.events.imported += written->events_created;
      summary_.events.updated += written->events_advanced;
      summary_.events.unchanged += static_cast<std::int64_t>(row.events.size()) -
                                   written->events_created - written->events_advanced;
    } else if (!Fatal(written.error())) {
      RejectAction(row, written.error());
    }
  }

  void RejectAction(const ActionWithEvents& row, const Error& error) {
    Reject(
        {"instance_actions", row.action.id, ActionContext(row.action), error.code, error.message});
    for (auto it = row.events.rbegin(); it != row.events.rend(); ++it) {
      Reject({"instance_actions_events", it->id, EventContext(row.action, *it), error.code,
              "its action " + std::to_string(row.action.id) + " was rejected: " + error.message});
    }
  }

  bool Fatal(const Error& error) {
    if (!IsFatal(error.code)) {
      return false;
    }
    const std::lock_guard lock(mu_);
    if (!fatal_) {
      fatal_ = error;
      failed_.store(true);
    }
    return true;
  }

  // One record: imported when its row was inserted, updated when a stored one was brought
  // forward (or, for an action, gained events), else unchanged.
  template <class T>
  static void Tally(ImportCounts& counts, const Written<T>& written) {
    ++(written.advanced ? counts.updated : written.created ? counts.imported : counts.unchanged);
  }

  void Reject(const Rejection& r) {
    const std::lock_guard lock(mu_);
    ImportCounts& counts = r.table == "instances"          ? summary_.instances
                           : r.table == "instance_actions" ? summary_.actions
                                                           : summary_.events;
    ++counts.rejected;
    if (r.code == ErrorCode::kConflict || r.code == ErrorCode::kFailedPrecondition) {
      ++summary_.rejected_conflicts;
    }
    if (options_.on_reject) {
      options_.on_reject(r);
    }
  }

  Journal& journal_;
  const ImportOptions& options_;
  std::unique_ptr<KeyedWorkerPool> pool_;
  std::mutex mu_;
  ImportSummary summary_;
  std::optional<Error> fatal_;
  std::atomic<bool> failed_{false};
};

}  // namespace

Result<ImportSummary> ImportFromNova(NovaSource& source, Journal& journal,
                                     const ImportOptions& options) {
  Importer importer(journal, options);
  return importer.Run(source);
}

}  // namespace actionlog::import
