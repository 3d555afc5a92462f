// Row-level tests of the SQLite backend: schema, constraints, ordering, query plans, group commit.
#include "store/sqlite/sqlite_store.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "actionlog/store/open_store.hpp"
#include "store/sqlite/sql.hpp"
#include "testing/failing_batch.hpp"
#include "testing/testing.hpp"
#include "testing/update_columns.hpp"

namespace actionlog::store::sqlite {
namespace {

using ::actionlog::testing::HasError;
using ::actionlog::testing::IsOk;
using ::actionlog::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kUuid = "11111111-2222-3333-4444-555555555555";

Timestamp T(std::int64_t seconds) { return Timestamp{seconds * 1000000}; }

Result<std::unique_ptr<Store>> Open(const std::string& path, const StoreOptions& options = {}) {
  return OpenSqliteStore(options, path);
}

// A raw sqlite3 handle for poking at the file behind the store's back.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(
        sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
        SQLITE_OK);
  }

  ~RawDb() { sqlite3_close_v2(db_); }

  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (error != nullptr ? error : "");
    sqlite3_free(error);
  }

  // The first column of every row of `sql`, as text.
  std::vector<std::string> Column(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(db_);
    while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      out.emplace_back(text != nullptr ? text : "NULL");
    }
    sqlite3_finalize(stmt);
    return out;
  }

  // The detail column of EXPLAIN QUERY PLAN for `sql`, one line per plan node.
  std::string Plan(std::string_view sql) {
    std::string plan;
    const std::string text = "EXPLAIN QUERY PLAN " + std::string(sql);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, text.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << text << ": " << sqlite3_errmsg(db_);
    while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
      plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
      plan += "\n";
    }
    sqlite3_finalize(stmt);
    return plan;
  }

 private:
  sqlite3* db_ = nullptr;
};

Instance MakeInstance(std::string_view uuid = kUuid) {
  Instance row;
  row.uuid = std::string(uuid);
  row.project_id = "project";
  row.user_id = "user";
  row.created_at = T(1000);
  row.updated_at = T(1000);
  row.version = 1;
  return row;
}

Action MakeAction(std::string request_id, Timestamp created_at, std::string_view uuid = kUuid) {
  Action row;
  row.action = "reboot";
  row.instance_uuid = std::string(uuid);
  row.request_id = std::move(request_id);
  row.user_id = "user";
  row.project_id = "project";
  row.created_at = created_at;
  row.updated_at = created_at;
  row.start_time = created_at;
  row.version = 1;
  return row;
}

// Occupies the writer for `hold` and returns once it does, so that writes issued meanwhile queue
// up behind it and run as one batch. Join the returned thread.
std::thread HoldWriter(Store& store, std::chrono::milliseconds hold) {
  auto running = std::make_shared<std::atomic<bool>>(false);
  std::thread holder([&store, hold, running] {
    EXPECT_THAT(store.Write([&](WriteTransaction&) {
      *running = true;
      std::this_thread::sleep_for(hold);
      return OkStatus();
    }),
                IsOk());
  });
  while (!*running) {
    std::this_thread::yield();
  }
  return holder;
}

Event MakeEvent(std::int64_t action_id, std::string name, Timestamp start) {
  Event row;
  row.action_id = action_id;
  row.event = std::move(name);
  row.created_at = start;
  row.updated_at = start;
  row.start_time = start;
  row.host = "compute-1";
  row.version = 1;
  return row;
}

std::vector<std::int64_t> Ids(const std::vector<Action>& rows) {
  std::vector<std::int64_t> ids;
  ids.reserve(rows.size());
  for (const Action& row : rows) {
    ids.push_back(row.id);
  }
  return ids;
}

std::vector<std::int64_t> Ids(const std::vector<Event>& rows) {
  std::vector<std::int64_t> ids;
  ids.reserve(rows.size());
  for (const Event& row : rows) {
    ids.push_back(row.id);
  }
  return ids;
}

Result<std::vector<Action>> List(Store& store, const ActionPageQuery& query) {
  std::vector<Action> rows;
  Status status = store.Read([&](ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(rows, tx.ListActions(query));
    return OkStatus();
  });
  if (!status) {
    return status.error();
  }
  return rows;
}

Result<std::int64_t> CountActions(Store& store) {
  std::int64_t count = 0;
  Status status = store.Read([&](ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Action> rows, tx.ScanActions(0, 1 << 30));
    count = static_cast<std::int64_t>(rows.size());
    return OkStatus();
  });
  if (!status) {
    return status.error();
  }
  return count;
}

class SqliteStoreTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    path_ = GetParam() ? std::string(":memory:") : dir_.File("actionlog.db");
    ASSERT_OK_AND_ASSIGN(store_, Open(path_));
    Instance instance = MakeInstance();
    ASSERT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertInstance(instance); }),
                IsOk());
  }

  // Inserts an action and returns it with its id.
  Action AddAction(std::string request_id, Timestamp created_at) {
    Action row = MakeAction(std::move(request_id), created_at);
    EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertAction(row); }), IsOk());
    return row;
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(FileAndMemory, SqliteStoreTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param_info) {
                           return param_info.param ? "Memory" : "File";
                         });

TEST_P(SqliteStoreTest, FreshDatabaseHasLatestSchema) {
  ASSERT_OK_AND_ASSIGN(const int version, store_->SchemaVersion());
  EXPECT_EQ(version, kSchemaVersion);
  EXPECT_EQ(store_->Backend(), "sqlite");
  EXPECT_THAT(store_->Upgrade(), IsOk());
  ASSERT_OK_AND_ASSIGN(const int again, store_->SchemaVersion());
  EXPECT_EQ(again, kSchemaVersion);
}

TEST_P(SqliteStoreTest, InsertGetAndUpdateWithVersionCheck) {
  Action action = AddAction("req-1", T(2000));
  ASSERT_GT(action.id, 0);
  Event event = MakeEvent(action.id, "compute_reboot_instance", T(2001));
  event.details = "details";
  ASSERT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertEvent(event); }), IsOk());
  ASSERT_GT(event.id, 0);

  ASSERT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const std::optional<Instance> instance, tx.GetInstance(kUuid));
    EXPECT_TRUE(instance.has_value());
    EXPECT_EQ(instance->project_id, "project");
    EXPECT_EQ(instance->host, std::nullopt);
    ACTIONLOG_ASSIGN_OR_RETURN(const std::optional<Action> got, tx.GetAction(kUuid, "req-1"));
    EXPECT_EQ(got, action);
    ACTIONLOG_ASSIGN_OR_RETURN(const std::optional<Action> none, tx.GetAction(kUuid, "req-2"));
    EXPECT_EQ(none, std::nullopt);
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Event> events, tx.ListEvents(action.id));
    EXPECT_EQ(events, std::vector<Event>{event});
    return OkStatus();
  }),
              IsOk());

  Action finished = action;
  finished.finish_time = T(2005);
  finished.updated_at = T(2005);
  finished.message = "Error";
  finished.version = 2;
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.UpdateAction(finished, 1); }),
              IsOk());
  // A second writer that read version 1 loses.
  const Status stale =
      store_->Write([&](WriteTransaction& tx) { return tx.UpdateAction(finished, 1); });
  ASSERT_THAT(stale, HasError(ErrorCode::kConflict));
  EXPECT_THAT(stale.error().message, HasSubstr("modified concurrently (expected version 1)"));
  // The new version must be expected + 1.
  Action skip = finished;
  skip.version = 7;
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.UpdateAction(skip, 2); }),
              HasError(ErrorCode::kInvalidArgument));

  ASSERT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const std::optional<Action> got, tx.GetAction(kUuid, "req-1"));
    EXPECT_EQ(got, finished);
    return OkStatus();
  }),
              IsOk());
}

TEST_P(SqliteStoreTest, UpdatesSetOnlyTheJournalsColumns) {
  const Action action = AddAction("req-1", T(2000));
  Event event = MakeEvent(action.id, "compute_reboot_instance", T(2001));
  ASSERT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertEvent(event); }), IsOk());
  testing::ExpectUpdatesSetOnlyTheJournalsColumns(*store_, action, event);
}

TEST_P(SqliteStoreTest, InsertKeepsAGivenId) {
  Action action = MakeAction("req-id", T(10));
  action.id = 4242;
  ASSERT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertAction(action); }), IsOk());
  EXPECT_EQ(action.id, 4242);
  Action next = AddAction("req-next", T(11));
  EXPECT_EQ(next.id, 4243);
}

TEST_P(SqliteStoreTest, UniqueIndexesMapToConflict) {
  Instance twin = MakeInstance();
  const Status instance_status =
      store_->Write([&](WriteTransaction& tx) { return tx.InsertInstance(twin); });
  ASSERT_THAT(instance_status, HasError(ErrorCode::kConflict));
  EXPECT_THAT(instance_status.error().message, HasSubstr("instances_uuid_idx"));

  Action action = AddAction("req-dup", T(100));
  Action dup = MakeAction("req-dup", T(101));
  const Status live = store_->Write([&](WriteTransaction& tx) { return tx.InsertAction(dup); });
  ASSERT_THAT(live, HasError(ErrorCode::kConflict));
  EXPECT_THAT(live.error().message, HasSubstr("instance_actions_live_request_idx"));

  // A soft-deleted action (as Nova's archive could leave one) does not hold the request id.
  Action deleted = MakeAction("req-soft", T(102));
  deleted.id = action.id + 1000;
  deleted.deleted = deleted.id;
  deleted.deleted_at = T(103);
  ASSERT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertAction(deleted); }),
              IsOk());
  dup = MakeAction("req-soft", T(104));
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertAction(dup); }), IsOk());

  Event open = MakeEvent(dup.id, "compute_x", T(200));
  ASSERT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertEvent(open); }), IsOk());
  Event second_open = MakeEvent(dup.id, "compute_x", T(201));
  const Status open_status =
      store_->Write([&](WriteTransaction& tx) { return tx.InsertEvent(second_open); });
  ASSERT_THAT(open_status, HasError(ErrorCode::kConflict));
  EXPECT_THAT(open_status.error().message, HasSubstr("instance_actions_events_open_idx"));

  Event finished = open;
  finished.finish_time = T(205);
  finished.result = "Success";
  finished.version = 2;
  ASSERT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.UpdateEvent(finished, 1); }),
              IsOk());
  Event same_identity = MakeEvent(dup.id, "compute_x", T(200));
  same_identity.finish_time = T(206);
  same_identity.result = "Error";
  const Status identity =
      store_->Write([&](WriteTransaction& tx) { return tx.InsertEvent(same_identity); });
  ASSERT_THAT(identity, HasError(ErrorCode::kConflict));
  EXPECT_THAT(identity.error().message, HasSubstr("instance_actions_events_identity_idx"));
  // Once the first one finished, a new run of the same event may start.
  second_open.id = 0;
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertEvent(second_open); }),
              IsOk());
}

TEST_P(SqliteStoreTest, MissingParentIsFailedPrecondition) {
  Action orphan = MakeAction("req-orphan", T(1), "99999999-2222-3333-4444-555555555555");
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertAction(orphan); }),
              HasError(ErrorCode::kFailedPrecondition));
  Event orphan_event = MakeEvent(123456, "x", T(1));
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertEvent(orphan_event); }),
              HasError(ErrorCode::kFailedPrecondition));
}

TEST_P(SqliteStoreTest, ListActionsOrdersByCreatedAtThenId) {
  const Action a = AddAction("req-a", T(10));
  const Action b = AddAction("req-b", T(30));
  const Action c = AddAction("req-c", T(20));
  const Action d = AddAction("req-d", T(20));  // same created_at as c: the higher id first
  const Action e = AddAction("req-e", T(20));
  Action gone = MakeAction("req-gone", T(40));  // soft-deleted rows are never listed
  gone.id = 1000;
  gone.deleted = gone.id;
  gone.deleted_at = T(41);
  ASSERT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertAction(gone); }), IsOk());

  ActionPageQuery query;
  query.instance_uuid = std::string(kUuid);
  ASSERT_OK_AND_ASSIGN(const auto all, List(*store_, query));
  EXPECT_EQ(Ids(all), (std::vector<std::int64_t>{b.id, e.id, d.id, c.id, a.id}));

  query.limit = 2;
  ASSERT_OK_AND_ASSIGN(const auto first, List(*store_, query));
  EXPECT_EQ(Ids(first), (std::vector<std::int64_t>{b.id, e.id}));
  // The marker is exclusive and splits the created_at tie by id.
  query.after_created_at = e.created_at;
  query.after_id = e.id;
  ASSERT_OK_AND_ASSIGN(const auto second, List(*store_, query));
  EXPECT_EQ(Ids(second), (std::vector<std::int64_t>{d.id, c.id}));
  query.after_created_at = c.created_at;
  query.after_id = c.id;
  ASSERT_OK_AND_ASSIGN(const auto third, List(*store_, query));
  EXPECT_EQ(Ids(third), (std::vector<std::int64_t>{a.id}));

  query.limit = 0;
  ASSERT_OK_AND_ASSIGN(const auto none, List(*store_, query));
  EXPECT_TRUE(none.empty());
  query.limit = -1;
  EXPECT_THAT(List(*store_, query), HasError(ErrorCode::kInvalidArgument));
}

TEST_P(SqliteStoreTest, ListActionsChangesSinceAndBeforeAreInclusive) {
  const Action a = AddAction("req-a", T(10));
  const Action b = AddAction("req-b", T(20));
  const Action c = AddAction("req-c", T(30));
  ActionPageQuery query;
  query.instance_uuid = std::string(kUuid);
  query.changes_since = T(20);
  ASSERT_OK_AND_ASSIGN(const auto since, List(*store_, query));
  EXPECT_EQ(Ids(since), (std::vector<std::int64_t>{c.id, b.id}));
  query.changes_before = T(20);
  ASSERT_OK_AND_ASSIGN(const auto exact, List(*store_, query));
  EXPECT_EQ(Ids(exact), (std::vector<std::int64_t>{b.id}));
  query.changes_since.reset();
  ASSERT_OK_AND_ASSIGN(const auto before, List(*store_, query));
  EXPECT_EQ(Ids(before), (std::vector<std::int64_t>{b.id, a.id}));
  query.instance_uuid = "other";
  ASSERT_OK_AND_ASSIGN(const auto other, List(*store_, query));
  EXPECT_TRUE(other.empty());
}

TEST_P(SqliteStoreTest, ActionsWithoutCreatedAtSortLast) {
  const Action dated = AddAction("req-dated", T(10));
  Action undated1 = MakeAction("req-u1", T(0));
  undated1.created_at.reset();
  Action undated2 = MakeAction("req-u2", T(0));
  undated2.created_at.reset();
  ASSERT_THAT(store_->Write([&](WriteTransaction& tx) -> Status {
    ACTIONLOG_RETURN_IF_ERROR(tx.InsertAction(undated1));
    return tx.InsertAction(undated2);
  }),
              IsOk());
  ActionPageQuery query;
  query.instance_uuid = std::string(kUuid);
  ASSERT_OK_AND_ASSIGN(const auto all, List(*store_, query));
  EXPECT_EQ(Ids(all), (std::vector<std::int64_t>{dated.id, undated2.id, undated1.id}));
  query.after_created_at = dated.created_at;
  query.after_id = dated.id;
  query.limit = 1;
  ASSERT_OK_AND_ASSIGN(const auto after_dated, List(*store_, query));
  EXPECT_EQ(Ids(after_dated), (std::vector<std::int64_t>{undated2.id}));
  query.after_created_at.reset();
  query.after_id = undated2.id;
  ASSERT_OK_AND_ASSIGN(const auto after_null, List(*store_, query));
  EXPECT_EQ(Ids(after_null), (std::vector<std::int64_t>{undated1.id}));
}

TEST_P(SqliteStoreTest, EventsListNewestFirstAndFindOldestFirst) {
  const Action action = AddAction("req-ev", T(10));
  std::vector<Event> events = {MakeEvent(action.id, "b", T(12)), MakeEvent(action.id, "a", T(11)),
                               MakeEvent(action.id, "c", T(12))};
  events[1].finish_time = T(11);
  events[1].result = "Success";
  Event again = MakeEvent(action.id, "a", T(13));
  ASSERT_THAT(store_->Write([&](WriteTransaction& tx) -> Status {
    for (Event& event : events) {
      ACTIONLOG_RETURN_IF_ERROR(tx.InsertEvent(event));
    }
    return tx.InsertEvent(again);
  }),
              IsOk());
  ASSERT_THAT(store_->Write([&](WriteTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Event> found, tx.FindEvents(action.id, "a"));
    EXPECT_EQ(Ids(found), (std::vector<std::int64_t>{events[1].id, again.id}));
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Event> listed, tx.ListEvents(action.id));
    EXPECT_EQ(Ids(listed),
              (std::vector<std::int64_t>{again.id, events[2].id, events[0].id, events[1].id}));
    return OkStatus();
  }),
              IsOk());
}

TEST_P(SqliteStoreTest, ChangeLogHeadAppendAndQueries) {
  ASSERT_THAT(store_->Write([&](WriteTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const ChainHead head, tx.LockChainHead());
    EXPECT_EQ(head.seq, 0);
    EXPECT_EQ(head.hash, std::string(64, '0'));
    for (int i = 1; i <= 3; ++i) {
      ChangeEntry entry;
      entry.seq = i;
      entry.recorded_at = T(100 + i);
      entry.actor_user = "u";
      entry.actor_project = "p";
      entry.actor_service = "svc";
      entry.operation = "action.start";
      entry.entity = "action";
      entry.entity_id = i == 3 ? 1 : i;
      entry.entity_version = i;
      entry.instance_uuid = std::string(kUuid);
      entry.request_id = "req";
      entry.row = "{}";
      entry.prev_hash = std::string(64, '0');
      entry.hash = std::string(64, static_cast<char>('0' + i));
      ACTIONLOG_RETURN_IF_ERROR(tx.AppendChange(entry));
    }
    return OkStatus();
  }),
              IsOk());
  ChangeEntry dup;
  dup.seq = 2;
  dup.entity = "action";
  const Status dup_status =
      store_->Write([&](WriteTransaction& tx) { return tx.AppendChange(dup); });
  EXPECT_THAT(dup_status, HasError(ErrorCode::kConflict));

  ASSERT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const ChainHead head, tx.GetChainHead());
    EXPECT_EQ(head.seq, 3);
    EXPECT_EQ(head.hash, std::string(64, '3'));
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<ChangeEntry> page, tx.ReadChanges(1, 10));
    EXPECT_EQ(page.size(), 2U);
    EXPECT_EQ(page.at(0).seq, 2);
    EXPECT_EQ(page.at(0).recorded_at, T(102));
    EXPECT_EQ(page.at(1).seq, 3);
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<ChangeEntry> one, tx.ReadChanges(0, 1));
    EXPECT_EQ(one.size(), 1U);
    ACTIONLOG_ASSIGN_OR_RETURN(const auto latest, tx.LatestChangeFor(Entity::kAction, 1));
    EXPECT_TRUE(latest.has_value());
    EXPECT_EQ(latest->seq, 3);
    ACTIONLOG_ASSIGN_OR_RETURN(const auto missing, tx.LatestChangeFor(Entity::kEvent, 1));
    EXPECT_FALSE(missing.has_value());
    ACTIONLOG_ASSIGN_OR_RETURN(const std::int64_t count, tx.CountLoggedEntities(Entity::kAction));
    EXPECT_EQ(count, 2);
    return OkStatus();
  }),
              IsOk());
}

TEST_P(SqliteStoreTest, ScansReturnEveryRowInIdOrder) {
  const Action a = AddAction("req-a", T(30));
  Action b = AddAction("req-b", T(10));
  b.deleted = b.id;
  b.version = 2;
  ASSERT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.UpdateAction(b, 1); }), IsOk());
  const Action c = AddAction("req-c", T(20));
  ASSERT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Action> first, tx.ScanActions(0, 2));
    EXPECT_EQ(Ids(first), (std::vector<std::int64_t>{a.id, b.id}));
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Action> rest, tx.ScanActions(b.id, 2));
    EXPECT_EQ(Ids(rest), (std::vector<std::int64_t>{c.id}));
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Instance> instances, tx.ScanInstances(0, 10));
    EXPECT_EQ(instances.size(), 1U);
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Event> events, tx.ScanEvents(0, 10));
    EXPECT_TRUE(events.empty());
    return OkStatus();
  }),
              IsOk());
}

TEST_P(SqliteStoreTest, ConcurrentWritersAreAllCommitted) {
  constexpr int kThreads = 8;
  constexpr int kWrites = 100;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        Action row = MakeAction("req-" + std::to_string(t) + "-" + std::to_string(i), T(i));
        if (!store_->Write([&](WriteTransaction& tx) { return tx.InsertAction(row); })) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(const std::int64_t count, CountActions(*store_));
  EXPECT_EQ(count, kThreads * kWrites);
}

// A job that fails after writing loses exactly its own rows, even when it shares a transaction.
// The batch first runs without savepoints; the first failure rolls it back and the jobs before
// it run once more, each isolated, so no callback runs more than twice.
TEST_P(SqliteStoreTest, FailingJobInABatchDoesNotUndoTheOthers) {
  std::thread blocker = HoldWriter(*store_, std::chrono::milliseconds(300));
  // These queue up behind the blocker and run as one batch.
  constexpr int kJobs = 9;
  std::vector<Status> results(kJobs);
  std::vector<std::atomic<int>> runs(kJobs);
  std::vector<std::thread> threads;
  threads.reserve(kJobs);
  for (int i = 0; i < kJobs; ++i) {
    threads.emplace_back([&, i] {
      results[static_cast<std::size_t>(i)] = store_->Write([&](WriteTransaction& tx) {
        return testing::RunFailingBatchJob(i, tx,
                                           MakeAction("req-batch-" + std::to_string(i), T(i)),
                                           runs[static_cast<std::size_t>(i)]);
      });
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  blocker.join();
  testing::ExpectFailingBatchOutcome(results, runs);
  ASSERT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
    for (int i = 0; i < kJobs; ++i) {
      ACTIONLOG_ASSIGN_OR_RETURN(const auto row,
                                 tx.GetAction(kUuid, "req-batch-" + std::to_string(i)));
      EXPECT_EQ(row.has_value(), i % 3 == 0) << i;
    }
    return OkStatus();
  }),
              IsOk());
}

// A job alone in its transaction runs without a savepoint: its failure (error or exception)
// must still undo everything it wrote, and the writer must go on.
TEST_P(SqliteStoreTest, FailingJobAloneLeavesNothing) {
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) -> Status {
    Action row = MakeAction("req-alone-error", T(1));
    ACTIONLOG_RETURN_IF_ERROR(tx.InsertAction(row));
    return MakeError(ErrorCode::kConflict, "after the insert");
  }),
              HasError(ErrorCode::kConflict));
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) -> Status {
    Action row = MakeAction("req-alone-throw", T(2));
    ACTIONLOG_RETURN_IF_ERROR(tx.InsertAction(row));
    throw std::runtime_error("after the insert");
  }),
              HasError(ErrorCode::kInternal));
  Action kept = MakeAction("req-alone-ok", T(3));
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertAction(kept); }), IsOk());
  ASSERT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
    for (const char* id : {"req-alone-error", "req-alone-throw"}) {
      ACTIONLOG_ASSIGN_OR_RETURN(const auto row, tx.GetAction(kUuid, id));
      EXPECT_FALSE(row.has_value()) << id;
    }
    ACTIONLOG_ASSIGN_OR_RETURN(const auto row, tx.GetAction(kUuid, "req-alone-ok"));
    EXPECT_TRUE(row.has_value());
    return OkStatus();
  }),
              IsOk());
}

// Jobs of one batch append through LockChainHead (as the journal does); some fail after their
// append and are rolled back. The head LockChainHead hands out must follow what stays: the
// committed log is contiguous and every prev_hash is the hash before it.
TEST_P(SqliteStoreTest, ChainHeadFollowsRolledBackAppendsInABatch) {
  auto append = [](WriteTransaction& tx, const std::string& tag) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const ChainHead head, tx.LockChainHead());
    ChangeEntry entry;
    entry.seq = head.seq + 1;
    entry.recorded_at = T(100);
    entry.operation = "action.start";
    entry.entity = "action";
    entry.entity_id = head.seq + 1;
    entry.entity_version = 1;
    entry.request_id = tag;
    entry.row = "{}";
    entry.prev_hash = head.hash;
    entry.hash = tag + std::string(64 - tag.size(), 'x');
    return tx.AppendChange(entry);
  };
  for (int round = 0; round < 2; ++round) {  // the second round starts from a committed head
    std::thread blocker = HoldWriter(*store_, std::chrono::milliseconds(200));
    std::vector<std::thread> threads;
    for (int i = 0; i < 9; ++i) {
      threads.emplace_back([&, i] {
        const std::string tag = "r" + std::to_string(round) + "j" + std::to_string(i);
        const Status status = store_->Write([&](WriteTransaction& tx) -> Status {
          ACTIONLOG_RETURN_IF_ERROR(append(tx, tag + "a"));
          ACTIONLOG_RETURN_IF_ERROR(append(tx, tag + "b"));
          if (i % 3 == 1) {
            return MakeError(ErrorCode::kConflict, "fails after two appends");
          }
          return OkStatus();
        });
        EXPECT_EQ(static_cast<bool>(status), i % 3 != 1) << tag;
      });
    }
    for (std::thread& thread : threads) {
      thread.join();
    }
    blocker.join();
  }
  ASSERT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<ChangeEntry> log, tx.ReadChanges(0, 100));
    EXPECT_EQ(log.size(), 24U);  // 2 rounds x 6 successful jobs x 2 entries
    std::string prev(64, '0');
    for (std::size_t k = 0; k < log.size(); ++k) {
      EXPECT_EQ(log[k].seq, static_cast<std::int64_t>(k + 1));
      EXPECT_EQ(log[k].prev_hash, prev) << "entry " << log[k].seq;
      EXPECT_EQ(log[k].request_id.find("j1"), std::string::npos);
      EXPECT_EQ(log[k].request_id.find("j4"), std::string::npos);
      EXPECT_EQ(log[k].request_id.find("j7"), std::string::npos);
      prev = log[k].hash;
    }
    return OkStatus();
  }),
              IsOk());
}

TEST_P(SqliteStoreTest, ReadErrorsAndExceptionsAreReturned) {
  EXPECT_THAT(store_->Read([](ReadTransaction&) -> Status {
    return MakeError(ErrorCode::kNotFound, "nothing");
  }),
              HasError(ErrorCode::kNotFound));
  EXPECT_THAT(store_->Read([](ReadTransaction&) -> Status { throw std::runtime_error("x"); }),
              HasError(ErrorCode::kInternal));
  // The connection is still usable afterwards.
  EXPECT_THAT(store_->Read([](ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const ChainHead head, tx.GetChainHead());
    EXPECT_EQ(head.seq, 0);
    return OkStatus();
  }),
              IsOk());
}

TEST(SqliteStoreFileTest, ReopenSeesEverythingAndReadsAreSnapshots) {
  TempDir dir;
  const std::string path = dir.File("a.db");
  {
    ASSERT_OK_AND_ASSIGN(auto store, Open(path));
    Instance instance = MakeInstance();
    ASSERT_THAT(store->Write([&](WriteTransaction& tx) { return tx.InsertInstance(instance); }),
                IsOk());
    Action first = MakeAction("req-1", T(1));
    ASSERT_THAT(store->Write([&](WriteTransaction& tx) { return tx.InsertAction(first); }), IsOk());

    // A reader keeps its snapshot while a write commits; the write is not blocked.
    std::atomic<bool> wrote{false};
    ASSERT_THAT(store->Read([&](ReadTransaction& tx) -> Status {
      ACTIONLOG_ASSIGN_OR_RETURN(const auto before, tx.ScanActions(0, 100));
      EXPECT_EQ(before.size(), 1U);
      std::thread writer([&] {
        Action second = MakeAction("req-2", T(2));
        EXPECT_THAT(store->Write([&](WriteTransaction& wtx) { return wtx.InsertAction(second); }),
                    IsOk());
        wrote = true;
      });
      writer.join();
      EXPECT_TRUE(wrote.load());
      ACTIONLOG_ASSIGN_OR_RETURN(const auto after, tx.ScanActions(0, 100));
      EXPECT_EQ(after.size(), 1U);
      ACTIONLOG_ASSIGN_OR_RETURN(const auto missing, tx.GetAction(kUuid, "req-2"));
      EXPECT_FALSE(missing.has_value());
      return OkStatus();
    }),
                IsOk());
    ASSERT_OK_AND_ASSIGN(const std::int64_t now, CountActions(*store));
    EXPECT_EQ(now, 2);
  }
  EXPECT_FALSE(std::filesystem::exists(path + "-wal") &&
               std::filesystem::file_size(path + "-wal") > 0)
      << "the WAL is checkpointed on a clean close";
  ASSERT_OK_AND_ASSIGN(auto reopened, Open(path));
  ASSERT_OK_AND_ASSIGN(const std::int64_t count, CountActions(*reopened));
  EXPECT_EQ(count, 2);
  RawDb raw(path);
  EXPECT_EQ(raw.Column("PRAGMA journal_mode"), std::vector<std::string>{"wal"});
}

TEST(SqliteStoreFileTest, OpenStoreRoutesSqliteUrls) {
  TempDir dir;
  StoreOptions options;
  options.url = "sqlite://" + dir.File("url.db");
  ASSERT_OK_AND_ASSIGN(auto store, OpenStore(options));
  EXPECT_EQ(store->Backend(), "sqlite");
  options.url = "sqlite://:memory:";
  ASSERT_OK_AND_ASSIGN(auto memory, OpenStore(options));
  EXPECT_EQ(memory->Backend(), "sqlite");
}

TEST(SqliteStoreFileTest, StoresNovaTimestampsAndReadsWhatNovaWrote) {
  TempDir dir;
  const std::string path = dir.File("nova.db");
  {
    ASSERT_OK_AND_ASSIGN(auto store, Open(path));
    Instance instance = MakeInstance();
    Action action = MakeAction("req-fmt", Timestamp{1700000000123456});
    ASSERT_THAT(store->Write([&](WriteTransaction& tx) -> Status {
      ACTIONLOG_RETURN_IF_ERROR(tx.InsertInstance(instance));
      return tx.InsertAction(action);
    }),
                IsOk());
  }
  {
    RawDb raw(path);
    EXPECT_EQ(raw.Column("SELECT created_at FROM instance_actions"),
              std::vector<std::string>{"2023-11-14 22:13:20.123456"});
    EXPECT_EQ(raw.Column("SELECT finish_time IS NULL FROM instance_actions"),
              std::vector<std::string>{"1"});
    raw.Exec("UPDATE instance_actions SET start_time = '2023-11-14 22:13:20'");
  }
  ASSERT_OK_AND_ASSIGN(auto store, Open(path));
  ASSERT_THAT(store->Read([&](ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const auto action, tx.GetAction(kUuid, "req-fmt"));
    EXPECT_TRUE(action.has_value());
    EXPECT_EQ(action->start_time, Timestamp{1700000000000000});
    return OkStatus();
  }),
              IsOk());
  {
    RawDb raw(path);
    raw.Exec("UPDATE instance_actions SET start_time = 'garbage'");
  }
  EXPECT_THAT(store->Read([&](ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const auto action, tx.GetAction(kUuid, "req-fmt"));
    EXPECT_TRUE(action.has_value());
    return OkStatus();
  }),
              HasError(ErrorCode::kDataLoss));
}

TEST(SqliteStoreSchemaTest, QueriesUseTheirIndexes) {
  TempDir dir;
  const std::string path = dir.File("plan.db");
  { ASSERT_OK_AND_ASSIGN(auto store, Open(path)); }
  RawDb raw(path);
  for (const Marker marker : {Marker::kNone, Marker::kValue, Marker::kNull}) {
    for (const bool since : {false, true}) {
      for (const bool before : {false, true}) {
        const std::string_view sql = StatementSql(ListActionsStmt(marker, since, before));
        const std::string plan = raw.Plan(sql);
        EXPECT_THAT(plan, HasSubstr("USING INDEX instance_actions_page_idx")) << sql;
        EXPECT_THAT(plan, Not(HasSubstr("TEMP B-TREE"))) << sql;
        EXPECT_THAT(plan, Not(HasSubstr("SCAN"))) << sql;
      }
    }
  }
  const std::string events = raw.Plan(StatementSql(Index(StmtId::kListEvents)));
  EXPECT_THAT(events, HasSubstr("USING INDEX instance_actions_events_action_idx"));
  EXPECT_THAT(events, Not(HasSubstr("TEMP B-TREE")));
  const std::string get = raw.Plan(StatementSql(Index(StmtId::kGetAction)));
  EXPECT_THAT(get, HasSubstr("USING INDEX instance_actions_live_request_idx"));
  const std::string latest = raw.Plan(StatementSql(Index(StmtId::kLatestChange)));
  EXPECT_THAT(latest, HasSubstr("change_log_entity_idx"));
  EXPECT_THAT(latest, Not(HasSubstr("TEMP B-TREE")));
  const std::string find = raw.Plan(StatementSql(Index(StmtId::kFindEvents)));
  EXPECT_THAT(find, Not(HasSubstr("SCAN instance_actions_events\n")));
}

TEST(SqliteStoreSchemaTest, RefusesANewerSchema) {
  TempDir dir;
  const std::string path = dir.File("newer.db");
  { ASSERT_OK_AND_ASSIGN(auto store, Open(path)); }
  {
    RawDb raw(path);
    raw.Exec("UPDATE actionlog_meta SET value = '99' WHERE key = 'schema_version'");
  }
  const auto opened = Open(path);
  ASSERT_THAT(opened, HasError(ErrorCode::kUnsupported));
  EXPECT_THAT(opened.error().message, HasSubstr("99"));
  EXPECT_THAT(opened.error().message,
              HasSubstr("newer than this binary (" + std::to_string(kSchemaVersion) + ")"));
}

TEST(SqliteStoreSchemaTest, OldSchemaNeedsAnExplicitUpgrade) {
  TempDir dir;
  const std::string path = dir.File("old.db");
  StoreOptions options;
  options.create_if_empty = false;
  { RawDb raw(path); }  // an empty database file: schema version 0
  const auto refused = Open(path, options);
  ASSERT_THAT(refused, HasError(ErrorCode::kUnsupported));
  EXPECT_THAT(refused.error().message, HasSubstr("run `actionlog db upgrade`"));

  options.allow_old_schema = true;
  ASSERT_OK_AND_ASSIGN(auto store, Open(path, options));
  ASSERT_OK_AND_ASSIGN(const int before, store->SchemaVersion());
  EXPECT_EQ(before, 0);
  ASSERT_THAT(store->Upgrade(), IsOk());
  ASSERT_THAT(store->Upgrade(), IsOk());
  ASSERT_OK_AND_ASSIGN(const int after, store->SchemaVersion());
  EXPECT_EQ(after, kSchemaVersion);
  Instance instance = MakeInstance();
  EXPECT_THAT(store->Write([&](WriteTransaction& tx) { return tx.InsertInstance(instance); }),
              IsOk());
}

// A version-1 database (Nova's request_id and updated_at indexes still present, no parent_row in
// the change log) is refused until upgraded; the upgrade drops the two indexes, adds the column
// (empty in the entries already there) and keeps every row.
TEST(SqliteStoreSchemaTest, UpgradesAVersion1Database) {
  TempDir dir;
  const std::string path = dir.File("v1.db");
  {
    ASSERT_OK_AND_ASSIGN(auto store, Open(path));
    Instance instance = MakeInstance();
    Action action = MakeAction("req-v1", T(2000));
    ASSERT_THAT(store->Write([&](WriteTransaction& tx) -> Status {
      ACTIONLOG_RETURN_IF_ERROR(tx.InsertInstance(instance));
      return tx.InsertAction(action);
    }),
                IsOk());
  }
  const std::string indexes =
      "SELECT count(*) FROM sqlite_schema WHERE name IN ('request_id_idx', "
      "'instance_actions_instance_uuid_updated_at_idx')";
  {
    RawDb raw(path);
    EXPECT_EQ(raw.Column(indexes), std::vector<std::string>{"0"});
    raw.Exec("CREATE INDEX request_id_idx ON instance_actions(request_id)");
    raw.Exec(
        "CREATE INDEX instance_actions_instance_uuid_updated_at_idx"
        " ON instance_actions(instance_uuid, updated_at)");
    raw.Exec("ALTER TABLE change_log DROP COLUMN parent_row");
    raw.Exec(
        "INSERT INTO change_log (seq, recorded_at, actor_user, actor_project, actor_service,"
        " operation, entity, entity_id, entity_version, instance_uuid, request_id, event,"
        " row_image, prev_hash, hash) VALUES (1, '2026-01-01 00:00:00.000000', 'u', 'p', '',"
        " 'action.start', 'action', 1, 1, '', 'req-v1', '', '{}', '', '')");
    raw.Exec("UPDATE actionlog_meta SET value = '1' WHERE key = 'schema_version'");
  }
  const auto refused = Open(path);
  ASSERT_THAT(refused, HasError(ErrorCode::kUnsupported));
  EXPECT_THAT(refused.error().message, HasSubstr("version 1 is older"));

  StoreOptions options;
  options.allow_old_schema = true;
  {
    ASSERT_OK_AND_ASSIGN(auto store, Open(path, options));
    ASSERT_THAT(store->Upgrade(), IsOk());
    ASSERT_OK_AND_ASSIGN(const int version, store->SchemaVersion());
    EXPECT_EQ(version, kSchemaVersion);
  }
  RawDb raw(path);
  EXPECT_EQ(raw.Column(indexes), std::vector<std::string>{"0"});
  EXPECT_EQ(raw.Column("SELECT request_id FROM instance_actions"),
            std::vector<std::string>{"req-v1"});
  EXPECT_EQ(raw.Column("SELECT request_id || '|' || parent_row || '|' FROM change_log"),
            std::vector<std::string>{"req-v1||"});
  EXPECT_EQ(raw.Column("PRAGMA integrity_check"), std::vector<std::string>{"ok"});
}

TEST(SqliteStoreSchemaTest, RefusesAndLeavesAForeignDatabaseAlone) {
  TempDir dir;
  const std::string path = dir.File("foreign.db");
  {
    RawDb raw(path);
    raw.Exec("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)");
  }
  const auto size = std::filesystem::file_size(path);
  const auto opened = Open(path);
  ASSERT_FALSE(opened.has_value());
  EXPECT_THAT(opened.error().code,
              ::testing::AnyOf(ErrorCode::kUnsupported, ErrorCode::kInvalidArgument));
  EXPECT_THAT(opened.error().message, HasSubstr("not an actionlog database"));
  EXPECT_EQ(std::filesystem::file_size(path), size);
  RawDb raw(path);
  EXPECT_EQ(raw.Column("SELECT name FROM sqlite_schema"), std::vector<std::string>{"photos"});
  EXPECT_EQ(raw.Column("PRAGMA journal_mode"), std::vector<std::string>{"delete"});
}

TEST(SqliteStoreSchemaTest, BadPathsAreClearErrors) {
  TempDir dir;
  const auto missing_dir = Open(dir.File("no/such/dir/a.db"));
  ASSERT_THAT(missing_dir, HasError(ErrorCode::kUnavailable));
  EXPECT_THAT(missing_dir.error().message, HasSubstr("no/such/dir/a.db"));

  const std::string text = dir.File("notes.txt");
  {
    std::ofstream out(text);
    out << "these are not the pages you are looking for, nor a database header at all.\n";
    for (int i = 0; i < 100; ++i) {
      out << "line " << i << "\n";
    }
  }
  const auto not_db = Open(text);
  ASSERT_THAT(not_db, HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(not_db.error().message, HasSubstr("not an SQLite database"));

  StoreOptions no_create;
  no_create.create_if_empty = false;
  EXPECT_THAT(Open(dir.File("absent.db"), no_create), HasError(ErrorCode::kUnavailable));
  EXPECT_FALSE(std::filesystem::exists(dir.File("absent.db")));
}

}  // namespace
}  // namespace actionlog::store::sqlite
