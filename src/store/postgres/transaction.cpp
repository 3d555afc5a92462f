#include "store/postgres/transaction.hpp"

#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "store/postgres/errors.hpp"
#include "store/postgres/rows.hpp"

namespace actionlog::store::postgres {
namespace {

Status CheckLimit(std::int64_t limit, std::string_view what) {
  if (limit < 0) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        std::string(what) + ": limit must not be negative, got " + std::to_string(limit));
  }
  return OkStatus();
}

Entity EntityOf(const Instance& /*row*/) { return Entity::kInstance; }

Entity EntityOf(const Action& /*row*/) { return Entity::kAction; }

Entity EntityOf(const Event& /*row*/) { return Entity::kEvent; }

Params IdAndLimit(std::int64_t id, std::int64_t limit) {
  Params params;
  params.AddInt(id);
  params.AddInt(limit);
  return params;
}

}  // namespace

ChainHead ReadChainHead(const PGresult* result) {
  if (result == nullptr || PQntuples(result) == 0) {
    return ChainHead{0, std::string(64, '0')};
  }
  const ResultRow row(result, 0);
  return ChainHead{row.Int(0), row.Text(1)};
}

void PgTransaction::RecordFailure(const Error& error) {
  failure_ = error;
  retry_ = conn_.IsBroken() || IsRetryable(conn_.LastSqlstate());
  failed_owner_ = conn_.FailedOwner();
}

Result<ResultPtr> PgTransaction::Reopen(std::size_t id, const Params& params,
                                        std::string_view context) {
  ACTIONLOG_RETURN_IF_ERROR(conn_.Reconnect());
  ACTIONLOG_RETURN_IF_ERROR(conn_.DeferSql(begin_, "starting a read transaction"));
  return conn_.Exec(id, false, params, context);
}

Result<ResultPtr> PgTransaction::Run(std::size_t id, const Params& params,
                                     std::string_view context) {
  if (failure_.has_value()) {
    return *failure_;
  }
  auto result = conn_.Exec(id, chain_ != nullptr, params, context);
  if (!result && !ran_ && !begin_.empty() && conn_.IsBroken()) {
    result = Reopen(id, params, context);
  }
  ran_ = true;
  // Every failure reaching here aborted the PostgreSQL transaction (server errors do), lost the
  // connection, or belongs to a queued statement: the job cannot go on either way.
  if (!result) {
    RecordFailure(result.error());
  }
  return result;
}

template <class Row>
void PgTransaction::Remember(const Row& row) {
  if (chain_ != nullptr) {
    locked_[{EntityOf(row), row.id}] = row.version;
  }
}

template <class Row>
bool PgTransaction::HoldsLocked(const Row& row, std::int64_t version) const {
  const auto found = locked_.find({EntityOf(row), row.id});
  return found != locked_.end() && found->second == version;
}

template <class Row, class ReadFn>
Result<std::vector<Row>> PgTransaction::Collect(StmtId id, const Params& params, ReadFn read,
                                                std::string_view context) {
  ACTIONLOG_ASSIGN_OR_RETURN(ResultPtr result, Run(id, params, context));
  const int count = PQntuples(result.get());
  std::vector<Row> rows;
  rows.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    rows.push_back(read(ResultRow(result.get(), i)));
    if constexpr (!std::is_same_v<Row, ChangeEntry>) {
      Remember(rows.back());
    }
  }
  return rows;
}

template <class Row, class ReadFn>
Result<std::optional<Row>> PgTransaction::First(StmtId id, const Params& params, ReadFn read,
                                                std::string_view context) {
  ACTIONLOG_ASSIGN_OR_RETURN(std::vector<Row> rows, Collect<Row>(id, params, read, context));
  return rows.empty() ? std::optional<Row>() : std::optional<Row>(std::move(rows[0]));
}

Result<std::optional<Instance>> PgTransaction::GetInstance(std::string_view uuid) {
  Params params;
  params.AddText(uuid);
  return First<Instance>(StmtId::kGetInstance, params, ReadInstance, "reading instance");
}

Result<std::optional<Action>> PgTransaction::GetAction(std::string_view instance_uuid,
                                                       std::string_view request_id) {
  Params params;
  params.AddText(instance_uuid);
  params.AddText(request_id);
  return First<Action>(StmtId::kGetAction, params, ReadAction, "reading action");
}

Status PgTransaction::AppendPage(std::size_t id, const Params& params, std::vector<Action>& out) {
  ACTIONLOG_ASSIGN_OR_RETURN(ResultPtr result, Run(id, params, "listing actions"));
  const int count = PQntuples(result.get());
  for (int i = 0; i < count; ++i) {
    out.push_back(ReadAction(ResultRow(result.get(), i)));
  }
  return OkStatus();
}

// Rows with a null created_at sort after every other row (as on SQLite), so a page that starts
// at a non-null marker continues into them once the dated rows run out.
Result<std::vector<Action>> PgTransaction::ListActions(const ActionPageQuery& query) {
  const std::int64_t limit = query.limit.value_or(-1);
  if (query.limit.has_value()) {
    ACTIONLOG_RETURN_IF_ERROR(CheckLimit(limit, "listing actions"));
  }
  if (query.after_created_at.has_value() && !query.after_id.has_value()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "listing actions: a marker created_at needs the marker id too");
  }
  std::vector<Action> rows;
  if (limit == 0) {
    return rows;
  }
  Marker marker = Marker::kNone;
  if (query.after_id.has_value()) {
    marker = query.after_created_at.has_value() ? Marker::kValue : Marker::kNull;
  }
  const bool since = query.changes_since.has_value();
  const bool before = query.changes_before.has_value();
  const auto params = [&](Marker kind, std::int64_t row_limit, std::int64_t after_id) {
    Params p;
    p.AddText(std::string_view(query.instance_uuid));
    p.AddTime(kind == Marker::kValue ? query.after_created_at : std::nullopt);
    if (kind == Marker::kNone) {
      p.AddNull();
    } else {
      p.AddInt(after_id);
    }
    p.AddTime(query.changes_since);
    p.AddTime(query.changes_before);
    if (row_limit < 0) {
      p.AddNull();
    } else {
      p.AddInt(row_limit);
    }
    return p;
  };
  ACTIONLOG_RETURN_IF_ERROR(AppendPage(ListActionsStmt(marker, since, before),
                                       params(marker, limit, query.after_id.value_or(0)), rows));
  const auto got = static_cast<std::int64_t>(rows.size());
  if (marker == Marker::kValue && (limit < 0 || got < limit)) {
    ACTIONLOG_RETURN_IF_ERROR(AppendPage(ListActionsStmt(Marker::kNull, since, before),
                                         params(Marker::kNull, limit < 0 ? -1 : limit - got,
                                                std::numeric_limits<std::int64_t>::max()),
                                         rows));
  }
  return rows;
}

Result<std::vector<Event>> PgTransaction::ListEvents(std::int64_t action_id) {
  Params params;
  params.AddInt(action_id);
  return Collect<Event>(StmtId::kListEvents, params, ReadEvent, "listing events");
}

Result<std::vector<ChangeEntry>> PgTransaction::ReadChanges(std::int64_t after_seq, int limit) {
  ACTIONLOG_RETURN_IF_ERROR(CheckLimit(limit, "reading the change log"));
  return Collect<ChangeEntry>(StmtId::kReadChanges, IdAndLimit(after_seq, limit), ReadChange,
                              "reading the change log");
}

// In a write transaction: the committed head, without this batch's entries (not sealed yet).
Result<ChainHead> PgTransaction::GetChainHead() {
  ACTIONLOG_ASSIGN_OR_RETURN(ResultPtr result,
                             Run(StmtId::kChainHead, Params(), "reading the change log head"));
  return ReadChainHead(result.get());
}

Result<std::optional<ChangeEntry>> PgTransaction::LatestChangeFor(Entity entity, std::int64_t id) {
  Params params;
  params.AddText(EntityName(entity));
  params.AddInt(id);
  return First<ChangeEntry>(StmtId::kLatestChange, params, ReadChange, "reading the change log");
}

Result<std::optional<ChangeEntry>> PgTransaction::LatestParentChangeFor(std::int64_t action_id) {
  Params params;
  params.AddInt(action_id);
  return First<ChangeEntry>(StmtId::kLatestParentChange, params, ReadChange,
                            "reading the change log");
}

Result<std::int64_t> PgTransaction::CountLoggedEntities(Entity entity) {
  Params params;
  params.AddText(EntityName(entity));
  ACTIONLOG_ASSIGN_OR_RETURN(ResultPtr result,
                             Run(StmtId::kCountLogged, params, "counting logged rows"));
  return PQntuples(result.get()) == 0 ? 0 : ResultRow(result.get(), 0).Int(0);
}

Result<std::vector<Instance>> PgTransaction::ScanInstances(std::int64_t after_id, int limit) {
  ACTIONLOG_RETURN_IF_ERROR(CheckLimit(limit, "scanning instances"));
  return Collect<Instance>(StmtId::kScanInstances, IdAndLimit(after_id, limit), ReadInstance,
                           "scanning instances");
}

Result<std::vector<Action>> PgTransaction::ScanActions(std::int64_t after_id, int limit) {
  ACTIONLOG_RETURN_IF_ERROR(CheckLimit(limit, "scanning actions"));
  return Collect<Action>(StmtId::kScanActions, IdAndLimit(after_id, limit), ReadAction,
                         "scanning actions");
}

Result<std::vector<Event>> PgTransaction::ScanEvents(std::int64_t after_id, int limit) {
  ACTIONLOG_RETURN_IF_ERROR(CheckLimit(limit, "scanning events"));
  return Collect<Event>(StmtId::kScanEvents, IdAndLimit(after_id, limit), ReadEvent,
                        "scanning events");
}

Result<std::vector<Event>> PgTransaction::FindEvents(std::int64_t action_id,
                                                     std::string_view event) {
  Params params;
  params.AddInt(action_id);
  params.AddText(event);
  return Collect<Event>(StmtId::kFindEvents, params, ReadEvent, "finding events");
}

Result<std::optional<ActionAndEvents>> PgTransaction::GetActionAndEvents(
    std::string_view instance_uuid, std::string_view request_id, std::string_view event) {
  Params params;
  params.AddText(instance_uuid);
  params.AddText(request_id);
  params.AddText(event);
  ACTIONLOG_ASSIGN_OR_RETURN(ResultPtr result, Run(StmtId::kGetActionAndEvents, params,
                                                   "reading an action and its events"));
  const int count = PQntuples(result.get());
  if (count == 0) {
    return std::optional<ActionAndEvents>();
  }
  ActionAndEvents out{ReadAction(ResultRow(result.get(), 0)), {}};
  Remember(out.action);
  for (int i = 0; i < count; ++i) {
    const ResultRow row(result.get(), i, kActionColumnCount);
    if (row.IsNull(0)) {  // the action has no event of that name
      continue;
    }
    out.events.push_back(ReadEvent(row));
    Remember(out.events.back());
  }
  return std::optional<ActionAndEvents>(std::move(out));
}

template <class Row>
Status PgTransaction::Insert(StmtId id, StmtId with_id, Row& row, std::string_view what) {
  ACTIONLOG_ASSIGN_OR_RETURN(ResultPtr result,
                             Run(row.id != 0 ? with_id : id, RowParams(row), what));
  if (PQntuples(result.get()) == 0) {
    return MakeError(ErrorCode::kConflict,
                     std::string(what) + ": a row with the same identity already exists");
  }
  row.id = ResultRow(result.get(), 0).Int(0);
  Remember(row);
  return OkStatus();
}

template <class Row>
Status PgTransaction::Update(StmtId id, const Row& row, std::int64_t expected_version,
                             std::string_view what) {
  if (row.version != expected_version + 1) {
    return MakeError(ErrorCode::kInvalidArgument, std::string(what) + " " + std::to_string(row.id) +
                                                      ": the new version must be " +
                                                      std::to_string(expected_version + 1) +
                                                      ", got " + std::to_string(row.version));
  }
  const Params params = UpdateParams(row, expected_version);
  if (failure_.has_value()) {
    return *failure_;
  }
  if (HoldsLocked(row, expected_version)) {
    if (auto queued = conn_.Defer(id, true, params, what, nullptr, /*one_row=*/true); !queued) {
      RecordFailure(queued.error());
      return queued.error();
    }
    Remember(row);
    return OkStatus();
  }
  ACTIONLOG_ASSIGN_OR_RETURN(ResultPtr result, Run(id, params, what));
  if (std::string_view(PQcmdTuples(result.get())) == "0") {
    return MakeError(ErrorCode::kConflict,
                     std::string(what) + " " + std::to_string(row.id) +
                         ": the row was modified concurrently (expected version " +
                         std::to_string(expected_version) + ")");
  }
  Remember(row);
  return OkStatus();
}

Status PgTransaction::InsertInstance(Instance& row) {
  return Insert(StmtId::kInsertInstance, StmtId::kInsertInstanceWithId, row, "inserting instance");
}

Status PgTransaction::InsertAction(Action& row) {
  return Insert(StmtId::kInsertAction, StmtId::kInsertActionWithId, row, "inserting action");
}

Status PgTransaction::InsertEvent(Event& row) {
  return Insert(StmtId::kInsertEvent, StmtId::kInsertEventWithId, row, "inserting event");
}

Status PgTransaction::UpdateInstance(const Instance& row, std::int64_t expected_version) {
  return Update(StmtId::kUpdateInstance, row, expected_version, "updating instance");
}

Status PgTransaction::UpdateAction(const Action& row, std::int64_t expected_version) {
  return Update(StmtId::kUpdateAction, row, expected_version, "updating action");
}

Status PgTransaction::UpdateEvent(const Event& row, std::int64_t expected_version) {
  return Update(StmtId::kUpdateEvent, row, expected_version, "updating event");
}

Result<ChainHead> PgTransaction::LockChainHead() {
  if (chain_ == nullptr) {
    return MakeError(ErrorCode::kInternal, "LockChainHead outside a write transaction");
  }
  if (failure_.has_value()) {
    return *failure_;
  }
  // Provisional: the writer takes the chain lock and renumbers the entries when it seals.
  return chain_->head;
}

Status PgTransaction::AppendChange(const ChangeEntry& entry) {
  if (chain_ == nullptr) {
    return MakeError(ErrorCode::kInternal, "AppendChange outside a write transaction");
  }
  if (failure_.has_value()) {
    return *failure_;
  }
  const ChainHead& head = chain_->head;
  if (entry.seq != head.seq + 1 || entry.prev_hash != head.hash) {
    return MakeError(ErrorCode::kInternal,
                     "appending to the change log: entry " + std::to_string(entry.seq) +
                         " does not follow the head " + std::to_string(head.seq));
  }
  chain_->entries.push_back(BatchChain::Entry{entry, conn_.Owner()});
  chain_->head = ChainHead{entry.seq, entry.hash};
  return OkStatus();
}

}  // namespace actionlog::store::postgres
