// Copies a Nova database into the journal through the clone path.
//
// Instances first (Journal::CloneInstance), then every action with its events
// (Journal::CloneActionWithEvents, one transaction per action), with Nova's ids and times.
// Identical records already in the journal are counted as unchanged, so importing twice adds
// nothing. A record the journal refuses (invalid, inconsistent, conflicting, or naming a missing
// instance) is reported through on_reject and counted; a refused action is refused as a whole,
// so it is reported together with each of its events and nothing of it is written. Store
// failures (unavailable, data loss, internal) stop the import and are returned as the error.
//
// Concurrency: `jobs` workers clone in parallel so the store can group their commits; all actions
// of one instance go to the same worker in id order, so which of two duplicate request ids wins
// does not depend on timing. on_reject is called from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>

#include "actionlog/core/journal.hpp"
#include "import/nova_source.hpp"

namespace actionlog::import {

struct ImportCounts {
  std::int64_t imported = 0;
  std::int64_t unchanged = 0;
  // Stored records brought forward to what Nova holds now (CloneMode::kAdvance): an instance
  // that changed, an action that finished or gained events, an event that finished.
  std::int64_t updated = 0;
  std::int64_t rejected = 0;

  friend bool operator==(const ImportCounts&, const ImportCounts&) = default;
};

struct ImportSummary {
  ImportCounts instances;
  ImportCounts actions;
  ImportCounts events;
  std::int64_t rejected_conflicts = 0;  // rejections whose code is kConflict/kFailedPrecondition

  std::int64_t Rejected() const { return instances.rejected + actions.rejected + events.rejected; }
};

struct ImportOptions {
  Actor actor;
  int jobs = 32;
  std::function<void(const Rejection&)> on_reject;  // may be empty
};

Result<ImportSummary> ImportFromNova(NovaSource& source, Journal& journal,
                                     const ImportOptions& options);

}  // namespace actionlog::import
