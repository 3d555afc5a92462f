// Verify: the change log's hash chain, then every row against its newest change-log entry.
#include <functional>

#include "actionlog/core/journal.hpp"
#include "journal_internal.hpp"

namespace actionlog {
namespace {

constexpr int kPage = 1000;

void Fail(VerifyReport& report, std::optional<std::int64_t> seq, std::string problem) {
  if (report.ok) {
    report.ok = false;
    report.first_bad_seq = seq;
    report.problem = std::move(problem);
  }
}

Status VerifyChain(store::ReadTransaction& tx, VerifyReport& report) {
  std::string prev(kGenesisHash);
  std::int64_t last_seq = 0;
  while (report.ok) {
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<ChangeEntry> page,
                               tx.ReadChanges(last_seq, kPage));
    for (const ChangeEntry& e : page) {
      ++report.entries_checked;
      if (e.seq != last_seq + 1) {
        Fail(report, e.seq,
             "change-log entry " + std::to_string(last_seq + 1) + " is missing (next entry is " +
                 std::to_string(e.seq) + ")");
      } else if (e.prev_hash != prev) {
        Fail(report, e.seq,
             "change-log entry " + std::to_string(e.seq) +
                 " does not link to the previous entry's hash");
      } else if (e.hash != ChainHash(prev, e)) {
        Fail(report, e.seq,
             "change-log entry " + std::to_string(e.seq) +
                 " does not match its hash: it was changed after it was written");
      }
      if (!report.ok) {
        return OkStatus();
      }
      prev = e.hash;
      last_seq = e.seq;
    }
    if (page.size() < static_cast<std::size_t>(kPage)) {
      break;
    }
  }
  ACTIONLOG_ASSIGN_OR_RETURN(const store::ChainHead head, tx.GetChainHead());
  if (report.ok && (head.seq != last_seq || head.hash != prev)) {
    Fail(report, head.seq, "the chain head does not match the last change-log entry");
  }
  return OkStatus();
}

// The newest image the change log holds for a row: its own newest entry's or, for an action,
// the newest image its events' entries recorded (parent_row), whichever came later. Row images
// carry the row's version; an event's entry names the event's version, not its action's.
Result<std::optional<ChangeEntry>> NewestEntryFor(store::ReadTransaction& tx, store::Entity entity,
                                                  std::int64_t id) {
  ACTIONLOG_ASSIGN_OR_RETURN(std::optional<ChangeEntry> own, tx.LatestChangeFor(entity, id));
  if (entity != store::Entity::kAction) {
    return own;
  }
  ACTIONLOG_ASSIGN_OR_RETURN(std::optional<ChangeEntry> by_event, tx.LatestParentChangeFor(id));
  if (by_event && (!own || by_event->seq > own->seq)) {
    by_event->row = std::move(by_event->parent_row);  // entity stays "event"
    return by_event;
  }
  return own;
}

// Checks one row against the newest image the change log recorded for it.
Status VerifyRow(store::ReadTransaction& tx, store::Entity entity, std::int64_t id,
                 std::int64_t version, const std::string& image, VerifyReport& report) {
  ++report.rows_checked;
  ACTIONLOG_ASSIGN_OR_RETURN(const std::optional<ChangeEntry> entry,
                             NewestEntryFor(tx, entity, id));
  const std::string what = std::string(store::EntityName(entity)) + " " + std::to_string(id);
  if (!entry) {
    Fail(report, std::nullopt,
         what + " has no change-log entry: it was written behind actionlog's back");
  } else if (entry->row != image ||
             (entry->entity == store::EntityName(entity) && entry->entity_version != version)) {
    Fail(report, entry->seq,
         what + " differs from its change-log entry " + std::to_string(entry->seq) +
             ": it was changed behind actionlog's back");
  }
  return OkStatus();
}

template <class Row>
using ScanFn = std::function<Result<std::vector<Row>>(std::int64_t, int)>;

template <class Row>
Status VerifyRows(store::ReadTransaction& tx, store::Entity entity, const ScanFn<Row>& scan,
                  VerifyReport& report) {
  std::int64_t after = 0;
  std::int64_t count = 0;
  while (report.ok) {
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Row> rows, scan(after, kPage));
    for (const Row& row : rows) {
      ACTIONLOG_RETURN_IF_ERROR(VerifyRow(tx, entity, row.id, row.version, RowImage(row), report));
      after = row.id;
      ++count;
    }
    if (rows.size() < static_cast<std::size_t>(kPage)) {
      break;
    }
  }
  if (!report.ok) {
    return OkStatus();
  }
  ACTIONLOG_ASSIGN_OR_RETURN(const std::int64_t logged, tx.CountLoggedEntities(entity));
  if (logged != count) {
    Fail(report, std::nullopt,
         "the change log records " + std::to_string(logged) + " " +
             std::string(store::EntityName(entity)) + " rows but the table holds " +
             std::to_string(count) + ": rows were removed behind actionlog's back");
  }
  return OkStatus();
}

}  // namespace

Result<VerifyReport> Journal::Verify() {
  VerifyReport report;
  ACTIONLOG_RETURN_IF_ERROR(StoreRead([&](store::ReadTransaction& tx) -> Status {
    report = {};
    ACTIONLOG_RETURN_IF_ERROR(VerifyChain(tx, report));
    ACTIONLOG_RETURN_IF_ERROR(VerifyRows<Instance>(
        tx, store::Entity::kInstance, [&](std::int64_t a, int n) { return tx.ScanInstances(a, n); },
        report));
    ACTIONLOG_RETURN_IF_ERROR(VerifyRows<Action>(
        tx, store::Entity::kAction, [&](std::int64_t a, int n) { return tx.ScanActions(a, n); },
        report));
    ACTIONLOG_RETURN_IF_ERROR(VerifyRows<Event>(
        tx, store::Entity::kEvent, [&](std::int64_t a, int n) { return tx.ScanEvents(a, n); },
        report));
    return OkStatus();
  }));
  return report;
}

}  // namespace actionlog
