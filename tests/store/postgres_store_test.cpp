// Row-level tests of the PostgreSQL backend: schema and migrations, constraints, ordering, row
// locks, the chain lock across stores (as across processes), retry after a deadlock, group
// commit isolation. Each test runs on a fresh database on the server named by
// ACTIONLOG_TEST_PG_DSN (scripts/with-postgres.sh); without it every test is skipped.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <dlfcn.h>
#include <gtest/gtest.h>

#include "actionlog/core/change_log.hpp"
#include "actionlog/store/open_store.hpp"
#include "testing/backends.hpp"
#include "testing/failing_batch.hpp"
#include "testing/testing.hpp"
#include "testing/update_columns.hpp"

namespace actionlog::store {
namespace {

using ::actionlog::testing::HasError;
using ::actionlog::testing::IsOk;

constexpr std::string_view kUuidA = "11111111-2222-3333-4444-555555555555";
constexpr std::string_view kUuidB = "66666666-7777-4888-9999-aaaaaaaaaaaa";

Timestamp T(std::int64_t seconds) { return Timestamp{1700000000000000 + seconds * 1000000}; }

// A raw libpq connection for acting behind the store's back (holding locks, reading catalogs).
// libpq is loaded at run time so this file builds with or without the PostgreSQL backend.
class RawPg {
 public:
  explicit RawPg(const std::string& url) {
    lib_ = dlopen("libpq.so.5", RTLD_NOW);
    if (lib_ == nullptr) {
      return;
    }
    Load(connectdb_, "PQconnectdb");
    Load(status_, "PQstatus");
    Load(exec_, "PQexec");
    Load(result_status_, "PQresultStatus");
    Load(error_message_, "PQresultErrorMessage");
    Load(ntuples_, "PQntuples");
    Load(getvalue_, "PQgetvalue");
    Load(clear_, "PQclear");
    Load(finish_, "PQfinish");
    Load(send_query_, "PQsendQuery");
    Load(get_result_, "PQgetResult");
    conn_ = connectdb_(url.c_str());
  }

  ~RawPg() {
    if (conn_ != nullptr) {
      finish_(conn_);
    }
    if (lib_ != nullptr) {
      dlclose(lib_);
    }
  }

  RawPg(const RawPg&) = delete;
  RawPg& operator=(const RawPg&) = delete;

  bool ok() const { return conn_ != nullptr && status_(conn_) == 0; }

  // Runs `sql`; returns the first column of its rows joined by newlines, or "ERROR: ...".
  std::string Exec(const std::string& sql) { return Take(exec_(conn_, sql.c_str())); }

  // Sends `sql` without waiting; Finish() waits for its result.
  void Send(const std::string& sql) { send_query_(conn_, sql.c_str()); }

  std::string Finish() {
    std::string last;
    while (void* result = get_result_(conn_)) {
      last = Take(result);
    }
    return last;
  }

 private:
  template <class Fn>
  void Load(Fn& fn, const char* name) {
    fn = reinterpret_cast<Fn>(dlsym(lib_, name));
  }

  std::string Take(void* result) {
    const int status = result_status_(result);
    std::string out;
    if (status != 1 && status != 2) {  // PGRES_COMMAND_OK, PGRES_TUPLES_OK
      out = std::string("ERROR: ") + error_message_(result);
    } else {
      for (int row = 0; row < ntuples_(result); ++row) {
        out += (row == 0 ? "" : "\n") + std::string(getvalue_(result, row, 0));
      }
    }
    clear_(result);
    return out;
  }

  void* lib_ = nullptr;
  void* conn_ = nullptr;
  void* (*connectdb_)(const char*) = nullptr;
  int (*status_)(const void*) = nullptr;
  void* (*exec_)(void*, const char*) = nullptr;
  int (*result_status_)(const void*) = nullptr;
  char* (*error_message_)(const void*) = nullptr;
  int (*ntuples_)(const void*) = nullptr;
  char* (*getvalue_)(const void*, int, int) = nullptr;
  void (*clear_)(void*) = nullptr;
  void (*finish_)(void*) = nullptr;
  int (*send_query_)(void*, const char*) = nullptr;
  void* (*get_result_)(void*) = nullptr;
};

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, testing::MakeTestDatabase(testing::Backend::kPostgres));
    if (db_.skip) {
      GTEST_SKIP() << db_.skip_reason;
    }
    ASSERT_OK_AND_ASSIGN(store_, Open());
  }

  Result<std::unique_ptr<Store>> Open(StoreOptions options = {}) {
    options.url = db_.url;
    return OpenStore(options);
  }

  std::string Raw(const std::string& sql) {
    RawPg raw(db_.url);
    EXPECT_TRUE(raw.ok());
    return raw.ok() ? raw.Exec(sql) : "ERROR: no connection";
  }

  static Instance MakeInstance(std::string_view uuid) {
    Instance row;
    row.uuid = std::string(uuid);
    row.project_id = "proj";
    row.created_at = T(0);
    row.version = 1;
    return row;
  }

  static Action MakeAction(std::string_view uuid, std::string request_id,
                           std::optional<Timestamp> created_at) {
    Action row;
    row.instance_uuid = std::string(uuid);
    row.request_id = std::move(request_id);
    row.action = "reboot";
    row.created_at = created_at;
    row.updated_at = created_at;
    row.start_time = created_at;
    row.version = 1;
    return row;
  }

  Instance PutInstance(std::string_view uuid) {
    Instance row = MakeInstance(uuid);
    EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertInstance(row); }),
                IsOk());
    return row;
  }

  Action PutAction(Action row) {
    EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertAction(row); }), IsOk());
    return row;
  }

  Event PutEvent(std::int64_t action_id, std::string name, std::optional<Timestamp> created_at) {
    Event row;
    row.action_id = action_id;
    row.event = std::move(name);
    row.created_at = created_at;
    row.start_time = created_at;
    row.version = 1;
    EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertEvent(row); }), IsOk());
    return row;
  }

  // Appends one change-log entry after the locked head, as the journal does. With `actor`, the
  // entry carries that actor_user (a NUL byte in it makes the server reject the queued insert).
  static Status AppendEntry(WriteTransaction& tx, std::int64_t entity_id, std::string actor = "") {
    ACTIONLOG_ASSIGN_OR_RETURN(const ChainHead head, tx.LockChainHead());
    ChangeEntry entry;
    entry.actor_user = std::move(actor);
    entry.seq = head.seq + 1;
    entry.recorded_at = T(entry.seq);
    entry.operation = "instance.put";
    entry.entity = "instance";
    entry.entity_id = entity_id;
    entry.entity_version = 1;
    entry.row = "{}";
    entry.prev_hash = head.hash;
    entry.hash = ChainHash(entry.prev_hash, entry);
    return tx.AppendChange(entry);
  }

  // Migrations 2 and 4: Nova's request_id_idx and (instance_uuid, updated_at) index are gone, and
  // instance_actions leaves room on its pages for HOT updates.
  void ExpectNovaIndexesDroppedAndActionPagesRoomy() {
    EXPECT_EQ(Raw("SELECT count(*) FROM pg_indexes WHERE indexname IN ('request_id_idx',"
                  " 'instance_actions_instance_uuid_updated_at_idx')"),
              "0");
    EXPECT_EQ(Raw("SELECT array_to_string(reloptions, ',') FROM pg_class"
                  " WHERE relname = 'instance_actions'"),
              "fillfactor=80");
  }

  std::vector<ChangeEntry> AllChanges() {
    std::vector<ChangeEntry> out;
    EXPECT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
      ACTIONLOG_ASSIGN_OR_RETURN(out, tx.ReadChanges(0, 1000000));
      return OkStatus();
    }),
                IsOk());
    return out;
  }

  // Two stores stand for two service processes, each with its own writer connection. Each reads
  // the one event of req-1 with `read` (which must lock it), pauses, and finishes it unless it is
  // already finished. The lock makes the second reader wait for the first one's commit and then see
  // the finished event, rather than fail on a stale version.
  void ExpectRacingFinishesSerialize(
      const std::function<Result<Event>(WriteTransaction&, std::int64_t action_id)>& read) {
    PutInstance(kUuidA);
    const Action action = PutAction(MakeAction(kUuidA, "req-1", T(0)));
    PutEvent(action.id, "compute_reboot", T(1));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> other, Open());
    std::atomic<int> won{0};
    std::atomic<int> saw_finished{0};
    const auto finish = [&](Store& store, const std::string& result) {
      const Status status = store.Write([&](WriteTransaction& tx) -> Status {
        ACTIONLOG_ASSIGN_OR_RETURN(Event row, read(tx, action.id));
        if (row.result.has_value()) {
          ++saw_finished;
          return MakeError(ErrorCode::kConflict, "already finished");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const std::int64_t expected = row.version;
        row.result = result;
        row.finish_time = T(2);
        row.version = expected + 1;
        return tx.UpdateEvent(row, expected);
      });
      if (status) {
        ++won;
      }
    };
    std::thread a([&] { finish(*store_, "Success"); });
    std::thread b([&] { finish(*other, "Error"); });
    a.join();
    b.join();
    EXPECT_EQ(won.load(), 1);
    EXPECT_EQ(saw_finished.load(), 1);
    EXPECT_EQ(Raw("SELECT version FROM instance_actions_events"), "2");
  }

  testing::TestDatabase db_;
  std::unique_ptr<Store> store_;
};

TEST_F(PostgresStoreTest, FreshDatabaseHasLatestSchema) {
  EXPECT_EQ(store_->Backend(), "postgresql");
  ASSERT_OK_AND_ASSIGN(const int version, store_->SchemaVersion());
  EXPECT_EQ(version, kSchemaVersion);
  EXPECT_THAT(store_->Upgrade(), IsOk());
  EXPECT_EQ(Raw("SELECT value FROM actionlog_meta WHERE key = 'schema_version'"),
            std::to_string(kSchemaVersion));
  EXPECT_EQ(Raw("SELECT count(*) FROM pg_indexes WHERE indexname IN ('instances_uuid_idx',"
                " 'instance_actions_live_request_idx', 'instance_actions_page_idx',"
                " 'instance_actions_events_action_idx', 'instance_actions_events_identity_idx',"
                " 'instance_actions_events_open_idx', 'change_log_entity_idx')"),
            "7");
  ExpectNovaIndexesDroppedAndActionPagesRoomy();
  store_.reset();
  ASSERT_OK_AND_ASSIGN(store_, Open());
}

// A version-1 database (Nova's request_id_idx and updated_at index still present, no parent_row in
// the change log) is refused until upgraded; the upgrade drops the indexes, adds the column, sets
// the fill factor and keeps every row.
TEST_F(PostgresStoreTest, UpgradesAVersion1Database) {
  PutInstance(kUuidA);
  store_.reset();
  EXPECT_EQ(Raw("CREATE INDEX request_id_idx ON instance_actions (request_id);"
                " CREATE INDEX instance_actions_instance_uuid_updated_at_idx"
                " ON instance_actions (instance_uuid, updated_at);"
                " ALTER TABLE instance_actions RESET (fillfactor);"
                " ALTER TABLE change_log DROP COLUMN parent_row;"
                " UPDATE actionlog_meta SET value = '1' WHERE key = 'schema_version'"),
            "");
  const auto refused = Open();
  ASSERT_THAT(refused, HasError(ErrorCode::kUnsupported));
  EXPECT_NE(refused.error().message.find("version 1 is older"), std::string::npos);
  StoreOptions options;
  options.allow_old_schema = true;
  ASSERT_OK_AND_ASSIGN(store_, Open(options));
  EXPECT_THAT(store_->Upgrade(), IsOk());
  ASSERT_OK_AND_ASSIGN(const int version, store_->SchemaVersion());
  EXPECT_EQ(version, kSchemaVersion);
  ExpectNovaIndexesDroppedAndActionPagesRoomy();
  EXPECT_EQ(Raw("SELECT count(*) FROM instances"), "1");
  EXPECT_EQ(Raw("SELECT is_nullable || ' ' || column_default FROM information_schema.columns"
                " WHERE table_name = 'change_log' AND column_name = 'parent_row'"),
            "NO ''::text");
}

TEST_F(PostgresStoreTest, RefusesNewerSchema) {
  store_.reset();
  EXPECT_EQ(Raw("UPDATE actionlog_meta SET value = '99'"), "");
  auto opened = Open();
  EXPECT_THAT(opened, HasError(ErrorCode::kUnsupported));
  if (!opened) {
    EXPECT_NE(opened.error().message.find("newer"), std::string::npos);
  }
}

TEST_F(PostgresStoreTest, RefusesForeignDatabaseUntouched) {
  store_.reset();
  EXPECT_EQ(Raw("DROP TABLE instance_actions_events, instance_actions, instances, change_log,"
                " change_log_lock, actionlog_meta; CREATE TABLE photos (id int)"),
            "");
  EXPECT_THAT(Open(), HasError(ErrorCode::kUnsupported));
  EXPECT_EQ(Raw("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "1");
}

TEST_F(PostgresStoreTest, EmptyDatabaseWithoutCreateNeedsUpgrade) {
  store_.reset();
  EXPECT_EQ(Raw("DROP TABLE instance_actions_events, instance_actions, instances, change_log,"
                " change_log_lock, actionlog_meta"),
            "");
  StoreOptions options;
  options.create_if_empty = false;
  EXPECT_THAT(Open(options), HasError(ErrorCode::kUnsupported));
  options.allow_old_schema = true;
  ASSERT_OK_AND_ASSIGN(store_, Open(options));
  ASSERT_OK_AND_ASSIGN(int version, store_->SchemaVersion());
  EXPECT_EQ(version, 0);
  EXPECT_THAT(store_->Upgrade(), IsOk());
  EXPECT_THAT(store_->Upgrade(), IsOk());
  ASSERT_OK_AND_ASSIGN(version, store_->SchemaVersion());
  EXPECT_EQ(version, kSchemaVersion);
  PutInstance(kUuidA);
}

TEST_F(PostgresStoreTest, UnreachableServerIsUnavailable) {
  StoreOptions options;
  options.url = "postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2";
  EXPECT_THAT(OpenStore(options), HasError(ErrorCode::kUnavailable));
  options.url = "postgresql://host/db?no_such_option=1";
  EXPECT_THAT(OpenStore(options), HasError(ErrorCode::kInvalidArgument));
}

TEST_F(PostgresStoreTest, InsertGetUpdateWithVersions) {
  Instance row = PutInstance(kUuidA);
  EXPECT_GT(row.id, 0);
  row.host = "compute-1";
  row.updated_at = Timestamp{kMaxTimestampMicros};
  row.deleted_at = Timestamp{kMinTimestampMicros};
  row.version = 2;
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.UpdateInstance(row, 1); }),
              IsOk());
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.UpdateInstance(row, 1); }),
              HasError(ErrorCode::kConflict));
  EXPECT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const std::optional<Instance> got, tx.GetInstance(kUuidA));
    EXPECT_TRUE(got.has_value());
    if (got.has_value()) {
      EXPECT_EQ(*got, row);
    }
    return OkStatus();
  }),
              IsOk());
}

TEST_F(PostgresStoreTest, UpdatesSetOnlyTheJournalsColumns) {
  PutInstance(kUuidA);
  const Action action = PutAction(MakeAction(kUuidA, "req-1", T(1)));
  const Event event = PutEvent(action.id, "compute_reboot", T(2));
  testing::ExpectUpdatesSetOnlyTheJournalsColumns(*store_, action, event);
}

TEST_F(PostgresStoreTest, ExplicitIdsKeepDefaultIdsApart) {
  PutInstance(kUuidA);
  Action cloned = MakeAction(kUuidA, "req-cloned", T(1));
  cloned.id = 500;
  PutAction(cloned);
  const Action next = PutAction(MakeAction(kUuidA, "req-next", T(2)));
  EXPECT_EQ(next.id, 501);
}

TEST_F(PostgresStoreTest, UniqueViolationIsConflictAndKeepsTheTransaction) {
  PutInstance(kUuidA);
  PutAction(MakeAction(kUuidA, "req-1", T(1)));
  std::optional<Action> seen;
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) -> Status {
    Action dup = MakeAction(kUuidA, "req-1", T(5));
    EXPECT_THAT(tx.InsertAction(dup), HasError(ErrorCode::kConflict));
    ACTIONLOG_ASSIGN_OR_RETURN(seen, tx.GetAction(kUuidA, "req-1"));
    Action other = MakeAction(kUuidA, "req-2", T(6));
    return tx.InsertAction(other);
  }),
              IsOk());
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->created_at, T(1));
  Instance again = MakeInstance(kUuidA);
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertInstance(again); }),
              HasError(ErrorCode::kConflict));
}

TEST_F(PostgresStoreTest, ForeignKeyViolationIsFailedPrecondition) {
  Action orphan = MakeAction(kUuidB, "req-1", T(1));
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertAction(orphan); }),
              HasError(ErrorCode::kFailedPrecondition));
  Event event;
  event.action_id = 12345;
  event.event = "compute_reboot";
  event.version = 1;
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertEvent(event); }),
              HasError(ErrorCode::kFailedPrecondition));
}

TEST_F(PostgresStoreTest, TextIsBinarySafe) {
  Instance row = MakeInstance(kUuidA);
  row.display_name = std::string("a\0b", 3);
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertInstance(row); }),
              HasError(ErrorCode::kInvalidArgument));
  row.display_name = std::string(256, 'x');
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertInstance(row); }),
              HasError(ErrorCode::kInvalidArgument));
  row.display_name = "'; DROP TABLE instances; -- \xc3\xa9";
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertInstance(row); }), IsOk());
  EXPECT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const std::optional<Instance> got, tx.GetInstance(kUuidA));
    EXPECT_TRUE(got.has_value() && got->display_name == row.display_name);
    return OkStatus();
  }),
              IsOk());
}

TEST_F(PostgresStoreTest, ListActionsOrderKeysetAndFilters) {
  PutInstance(kUuidA);
  PutInstance(kUuidB);
  std::vector<Action> rows;
  for (int i = 0; i < 5; ++i) {
    rows.push_back(PutAction(MakeAction(kUuidA, "req-" + std::to_string(i), T(i % 3))));
  }
  rows.push_back(PutAction(MakeAction(kUuidA, "req-null", std::nullopt)));
  PutAction(MakeAction(kUuidB, "req-b", T(9)));
  const auto list = [&](ActionPageQuery query) {
    query.instance_uuid = std::string(kUuidA);
    std::vector<std::string> ids;
    EXPECT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
      ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Action> page, tx.ListActions(query));
      for (const Action& a : page) {
        ids.push_back(a.request_id);
      }
      return OkStatus();
    }),
                IsOk());
    return ids;
  };
  using Ids = std::vector<std::string>;
  // created_at: req-0 0, req-1 1, req-2 2, req-3 0, req-4 1, req-null NULL (last).
  EXPECT_EQ(list({}), (Ids{"req-2", "req-4", "req-1", "req-3", "req-0", "req-null"}));
  ActionPageQuery page;
  page.limit = 2;
  EXPECT_EQ(list(page), (Ids{"req-2", "req-4"}));
  page.after_created_at = rows[4].created_at;
  page.after_id = rows[4].id;
  EXPECT_EQ(list(page), (Ids{"req-1", "req-3"}));
  page.limit = std::nullopt;
  page.after_created_at = rows[0].created_at;
  page.after_id = rows[0].id;
  EXPECT_EQ(list(page), (Ids{"req-null"}));
  page.after_created_at = std::nullopt;
  page.after_id = rows[5].id;
  EXPECT_EQ(list(page), Ids{});
  ActionPageQuery filtered;
  filtered.changes_since = T(1);
  filtered.changes_before = T(1);
  EXPECT_EQ(list(filtered), (Ids{"req-4", "req-1"}));
  filtered.limit = 0;
  EXPECT_EQ(list(filtered), Ids{});
  filtered.limit = -1;
  EXPECT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
    filtered.instance_uuid = std::string(kUuidA);
    return tx.ListActions(filtered).has_value() ? OkStatus() : tx.ListActions(filtered).error();
  }),
              HasError(ErrorCode::kInvalidArgument));
}

TEST_F(PostgresStoreTest, ListPagesUseThePageIndex) {
  const std::string plan =
      Raw("EXPLAIN (COSTS OFF) SELECT id FROM instance_actions WHERE instance_uuid = 'x'"
          " AND deleted = 0 AND (created_at, id) < ('2020-01-01'::timestamp, 5)"
          " ORDER BY created_at DESC NULLS LAST, id DESC LIMIT 50");
  EXPECT_NE(plan.find("instance_actions_page_idx"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("Sort"), std::string::npos) << plan;
  // changes-since / changes-before filter on the same index scan.
  const std::string since =
      Raw("EXPLAIN (COSTS OFF) SELECT id FROM instance_actions WHERE instance_uuid = 'x'"
          " AND deleted = 0 AND updated_at >= '2020-01-01'::timestamp"
          " AND updated_at <= '2021-01-01'::timestamp"
          " ORDER BY created_at DESC NULLS LAST, id DESC LIMIT 50");
  EXPECT_NE(since.find("instance_actions_page_idx"), std::string::npos) << since;
  EXPECT_EQ(since.find("Sort"), std::string::npos) << since;
}

// An event's start or finish moves its action's updated_at; no index covers that column, so the
// action's new version is a HOT update (no new index entries).
TEST_F(PostgresStoreTest, ActionUpdatesAreHot) {
  PutInstance(kUuidA);
  Action action = PutAction(MakeAction(kUuidA, "req-1", T(1)));
  for (int i = 2; i <= 6; ++i) {
    ASSERT_THAT(store_->Write([&](WriteTransaction& tx) -> Status {
      ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Action> read, tx.GetAction(kUuidA, "req-1"));
      Action row = *read;
      row.updated_at = T(i);
      row.version = read->version + 1;
      return tx.UpdateAction(row, read->version);
    }),
                IsOk());
  }
  // A backend publishes its table statistics within about a second of going idle.
  const std::string query =
      "SELECT n_tup_upd || ' ' || n_tup_hot_upd FROM pg_stat_user_tables"
      " WHERE relname = 'instance_actions'";
  std::string counts = Raw(query);
  for (int i = 0; i < 100 && counts != "5 5" && counts.starts_with("0 "); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    counts = Raw(query);
  }
  EXPECT_EQ(counts, "5 5");
}

TEST_F(PostgresStoreTest, EventsOrderAndFind) {
  PutInstance(kUuidA);
  const Action action = PutAction(MakeAction(kUuidA, "req-1", T(0)));
  const Event first = PutEvent(action.id, "compute_reboot", T(1));
  const Event second = PutEvent(action.id, "compute_stop", T(2));
  Event finished = first;
  finished.finish_time = T(3);
  finished.result = "Success";
  finished.version = 2;
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.UpdateEvent(finished, 1); }),
              IsOk());
  const Event third = PutEvent(action.id, "compute_reboot", T(4));
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Event> listed, tx.ListEvents(action.id));
    EXPECT_EQ(listed, (std::vector<Event>{third, second, finished}));
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Event> found,
                               tx.FindEvents(action.id, "compute_reboot"));
    EXPECT_EQ(found, (std::vector<Event>{finished, third}));
    // The same in one statement, with the action; an action without events of that name, and
    // no action at all.
    ACTIONLOG_ASSIGN_OR_RETURN(std::optional<ActionAndEvents> both,
                               tx.GetActionAndEvents(kUuidA, "req-1", "compute_reboot"));
    EXPECT_TRUE(both.has_value());
    if (both) {
      EXPECT_EQ(both->action, action);
      EXPECT_EQ(both->events, (std::vector<Event>{finished, third}));
    }
    ACTIONLOG_ASSIGN_OR_RETURN(both, tx.GetActionAndEvents(kUuidA, "req-1", "compute_resize"));
    EXPECT_TRUE(both.has_value());
    if (both) {
      EXPECT_EQ(both->action, action);
      EXPECT_TRUE(both->events.empty());
    }
    ACTIONLOG_ASSIGN_OR_RETURN(both, tx.GetActionAndEvents(kUuidA, "req-2", "compute_reboot"));
    EXPECT_FALSE(both.has_value());
    return OkStatus();
  }),
              IsOk());
  Event open_again = first;
  open_again.id = 0;
  open_again.start_time = T(7);
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) { return tx.InsertEvent(open_again); }),
              HasError(ErrorCode::kConflict));
}

TEST_F(PostgresStoreTest, RacingFinishesOfOneRowHaveOneWinner) {
  ExpectRacingFinishesSerialize([](WriteTransaction& tx, std::int64_t action_id) -> Result<Event> {
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Event> rows,
                               tx.FindEvents(action_id, "compute_reboot"));
    return rows.at(0);
  });
}

// GetActionAndEvents locks the events it returns as FindEvents does.
TEST_F(PostgresStoreTest, GetActionAndEventsLocksWhatItReturns) {
  ExpectRacingFinishesSerialize(
      [](WriteTransaction& tx, std::int64_t /*action_id*/) -> Result<Event> {
        ACTIONLOG_ASSIGN_OR_RETURN(const std::optional<ActionAndEvents> found,
                                   tx.GetActionAndEvents(kUuidA, "req-1", "compute_reboot"));
        return found.value().events.at(0);
      });
}

TEST_F(PostgresStoreTest, ChainStaysLinearAcrossStores) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> second, Open());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> third, Open());
  std::vector<Store*> stores = {store_.get(), second.get(), third.get()};
  constexpr int kThreads = 12;
  constexpr int kPerThread = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store& store = *stores[static_cast<std::size_t>(t) % stores.size()];
      for (int i = 0; i < kPerThread; ++i) {
        const Status status = store.Write([&](WriteTransaction& tx) -> Status {
          // Every tenth write fails after appending: its entry must vanish with it.
          ACTIONLOG_RETURN_IF_ERROR(AppendEntry(tx, t * 1000 + i));
          if (i % 10 == 9) {
            return MakeError(ErrorCode::kConflict, "rejected");
          }
          return OkStatus();
        });
        if (status.has_value() != (i % 10 != 9)) {
          failures++;
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(failures.load(), 0);
  const std::vector<ChangeEntry> changes = AllChanges();
  ASSERT_EQ(changes.size(), static_cast<std::size_t>(kThreads * kPerThread * 9 / 10));
  std::string prev(kGenesisHash);
  for (std::size_t i = 0; i < changes.size(); ++i) {
    ASSERT_EQ(changes[i].seq, static_cast<std::int64_t>(i + 1));
    ASSERT_EQ(changes[i].prev_hash, prev);
    ASSERT_EQ(changes[i].hash, ChainHash(prev, changes[i]));
    prev = changes[i].hash;
  }
  EXPECT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const ChainHead head, tx.GetChainHead());
    EXPECT_EQ(head.seq, static_cast<std::int64_t>(changes.size()));
    EXPECT_EQ(head.hash, prev);
    ACTIONLOG_ASSIGN_OR_RETURN(const std::int64_t logged,
                               tx.CountLoggedEntities(Entity::kInstance));
    EXPECT_EQ(logged, static_cast<std::int64_t>(changes.size()));
    ACTIONLOG_ASSIGN_OR_RETURN(const std::optional<ChangeEntry> latest,
                               tx.LatestChangeFor(Entity::kInstance, changes.back().entity_id));
    EXPECT_TRUE(latest.has_value() && *latest == changes.back());
    return OkStatus();
  }),
              IsOk());
}

// A batch takes the chain lock only when it seals: while its job runs, a write through another
// store appends and commits. The running batch's entries are then sealed after that entry, with
// seq, prev_hash and hash recomputed, so the chain stays linear in commit order.
TEST_F(PostgresStoreTest, EntriesAreSealedAfterEntriesCommittedMeanwhile) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> second, Open());
  std::atomic<bool> appended{false};
  std::atomic<bool> release{false};
  std::thread slow([&] {
    EXPECT_THAT(store_->Write([&](WriteTransaction& tx) -> Status {
      ACTIONLOG_RETURN_IF_ERROR(AppendEntry(tx, 1));
      ACTIONLOG_RETURN_IF_ERROR(AppendEntry(tx, 2));
      appended = true;
      for (int i = 0; i < 1000 && !release; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      return OkStatus();
    }),
                IsOk());
  });
  while (!appended) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_THAT(second->Write([&](WriteTransaction& tx) { return AppendEntry(tx, 3); }), IsOk());
  release = true;
  slow.join();
  const std::vector<ChangeEntry> changes = AllChanges();
  ASSERT_EQ(changes.size(), 3U);
  const std::vector<std::int64_t> order = {changes[0].entity_id, changes[1].entity_id,
                                           changes[2].entity_id};
  EXPECT_EQ(order, (std::vector<std::int64_t>{3, 1, 2}));
  std::string prev(kGenesisHash);
  for (std::size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(changes[i].prev_hash, prev);
    EXPECT_EQ(changes[i].hash, ChainHash(prev, changes[i]));
    prev = changes[i].hash;
  }
}

TEST_F(PostgresStoreTest, AppendOutOfOrderIsRefused) {
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) -> Status {
    ChangeEntry entry;
    entry.seq = 5;
    entry.prev_hash = std::string(kGenesisHash);
    return tx.AppendChange(entry);
  }),
              HasError(ErrorCode::kInternal));
  EXPECT_TRUE(AllChanges().empty());
}

// A client outside actionlog holds a row lock and then waits for one the writer holds: the
// server aborts the writer's transaction with deadlock_detected, and the writer runs the callback
// again instead of failing.
TEST_F(PostgresStoreTest, DeadlockIsRetriedTransparently) {
  PutInstance(kUuidA);
  PutInstance(kUuidB);
  RawPg raw(db_.url);
  ASSERT_TRUE(raw.ok());
  if (raw.Exec("SET deadlock_timeout = '30s'").starts_with("ERROR")) {
    GTEST_SKIP() << "needs a superuser to make the raw session the patient one";
  }
  ASSERT_EQ(raw.Exec("BEGIN"), "");
  ASSERT_EQ(
      raw.Exec("SELECT uuid FROM instances WHERE uuid = '" + std::string(kUuidA) + "' FOR UPDATE"),
      kUuidA);
  std::atomic<int> attempts{0};
  std::atomic<bool> holds_b{false};
  std::thread writer([&] {
    const Status status = store_->Write([&](WriteTransaction& tx) -> Status {
      ++attempts;
      ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Instance> b, tx.GetInstance(kUuidB));
      holds_b = true;
      ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Instance> a, tx.GetInstance(kUuidA));
      if (!a.has_value()) {
        return MakeError(ErrorCode::kNotFound, "a");
      }
      Instance next = *a;
      next.host = "moved";
      next.version = a->version + 1;
      return tx.UpdateInstance(next, a->version);
    });
    EXPECT_THAT(status, IsOk());
  });
  while (!holds_b) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  raw.Send("SELECT uuid FROM instances WHERE uuid = '" + std::string(kUuidB) + "' FOR UPDATE");
  EXPECT_EQ(raw.Finish(), kUuidB);  // granted once the writer's transaction was aborted
  EXPECT_EQ(raw.Exec("COMMIT"), "");
  writer.join();
  EXPECT_EQ(attempts.load(), 2);
  EXPECT_EQ(Raw("SELECT host FROM instances WHERE uuid = '" + std::string(kUuidA) + "'"), "moved");
}

TEST_F(PostgresStoreTest, GroupCommitIsolatesFailingJobs) {
  PutInstance(kUuidA);
  constexpr int kWriters = 16;
  constexpr int kPerWriter = 30;
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerWriter; ++i) {
        const bool fail = (i % 3) == 0;
        const Status status = store_->Write([&](WriteTransaction& tx) -> Status {
          Action row =
              MakeAction(kUuidA, "req-" + std::to_string(t) + "-" + std::to_string(i), T(i));
          ACTIONLOG_RETURN_IF_ERROR(tx.InsertAction(row));
          if (fail) {
            // A statement error inside the job: the row above must be undone with it.
            Action orphan = MakeAction(kUuidB, row.request_id, T(i));
            return tx.InsertAction(orphan);
          }
          return AppendEntry(tx, row.id);
        });
        if (status.has_value() == fail) {
          unexpected++;
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(unexpected.load(), 0);
  const int kept = kWriters * (kPerWriter - kPerWriter / 3);
  EXPECT_EQ(Raw("SELECT count(*) FROM instance_actions"), std::to_string(kept));
  EXPECT_EQ(AllChanges().size(), static_cast<std::size_t>(kept));
}

// Jobs of a batch run without savepoints until one fails; then the transaction is rolled back, the
// failed job keeps its error and the others run again, each in a savepoint. No job runs more than
// twice, none is lost, and the chain stays linear.
TEST_F(PostgresStoreTest, FailingJobInABatchDoesNotUndoTheOthers) {
  PutInstance(kUuidA);
  constexpr int kJobs = 9;
  std::vector<Status> results(kJobs);
  std::vector<std::atomic<int>> runs(kJobs);
  std::atomic<bool> leader_running{false};
  std::atomic<int> leader_runs{0};
  // The leader's job holds its batch open while the others queue; they join that batch.
  std::thread leader([&] {
    EXPECT_THAT(store_->Write([&](WriteTransaction& tx) -> Status {
      ++leader_runs;
      leader_running = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      Action row = MakeAction(kUuidA, "req-leader", T(0));
      ACTIONLOG_RETURN_IF_ERROR(tx.InsertAction(row));
      return AppendEntry(tx, row.id);
    }),
                IsOk());
  });
  while (!leader_running) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::vector<std::thread> threads;
  threads.reserve(kJobs);
  for (int i = 0; i < kJobs; ++i) {
    threads.emplace_back([&, i] {
      results[static_cast<std::size_t>(i)] = store_->Write([&](WriteTransaction& tx) {
        return testing::RunFailingBatchJob(
            i, tx, MakeAction(kUuidA, "req-batch-" + std::to_string(i), T(i + 1)),
            runs[static_cast<std::size_t>(i)],
            [](WriteTransaction& t, const Action& row) { return AppendEntry(t, row.id); });
      });
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  leader.join();
  // The leader ran first in the batch without a savepoint, so the first failure behind it
  // rolled it back: it ran exactly twice.
  EXPECT_EQ(leader_runs.load(), 2);
  testing::ExpectFailingBatchOutcome(results, runs);
  for (int i = 0; i < kJobs; ++i) {
    EXPECT_EQ(Raw("SELECT count(*) FROM instance_actions WHERE request_id = 'req-batch-" +
                  std::to_string(i) + "'"),
              i % 3 == 0 ? "1" : "0")
        << i;
  }
  const std::vector<ChangeEntry> changes = AllChanges();
  ASSERT_EQ(changes.size(), static_cast<std::size_t>(1 + kJobs / 3));
  std::string prev(64, '0');
  for (std::size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(changes[i].prev_hash, prev);
    EXPECT_EQ(changes[i].hash, ChainHash(prev, changes[i]));
    prev = changes[i].hash;
  }
}

// The change-log insert is queued (pipelined) and fails only after the job's callback returned:
// that job alone fails with the server's error, the others of its batch commit, and the chain
// stays linear without a gap.
TEST_F(PostgresStoreTest, QueuedStatementFailingAfterItsJobFailsThatJobAlone) {
  PutInstance(kUuidA);
  constexpr int kWriters = 8;
  constexpr int kPerWriter = 12;
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerWriter; ++i) {
        const bool fail = (i % 4) == 1;
        const Status status = store_->Write([&](WriteTransaction& tx) -> Status {
          Action row =
              MakeAction(kUuidA, "req-" + std::to_string(t) + "-" + std::to_string(i), T(i));
          ACTIONLOG_RETURN_IF_ERROR(tx.InsertAction(row));
          return AppendEntry(tx, row.id, fail ? std::string("bad\0actor", 9) : "svc");
        });
        if (fail ? !status.has_value() && status.error().code == ErrorCode::kInvalidArgument
                 : status.has_value()) {
          continue;
        }
        unexpected++;
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(unexpected.load(), 0);
  const int kept = kWriters * (kPerWriter - kPerWriter / 4);
  EXPECT_EQ(Raw("SELECT count(*) FROM instance_actions"), std::to_string(kept));
  const std::vector<ChangeEntry> changes = AllChanges();
  ASSERT_EQ(changes.size(), static_cast<std::size_t>(kept));
  std::string prev(64, '0');
  for (std::size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(changes[i].prev_hash, prev);
    prev = changes[i].hash;
  }
}

// Updates of rows the job read (locked) are queued without waiting; a conflict on a row it did
// not read is still reported by the update itself, and the job can go on.
TEST_F(PostgresStoreTest, UpdatesOfLockedRowsAreQueuedAndUnreadRowsStillConflict) {
  PutInstance(kUuidA);
  Action action = PutAction(MakeAction(kUuidA, "req-1", T(1)));
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) -> Status {
    Action stale = action;
    stale.version = 3;
    EXPECT_THAT(tx.UpdateAction(stale, 2), HasError(ErrorCode::kConflict));
    ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Action> read, tx.GetAction(kUuidA, "req-1"));
    Action row = *read;
    row.message = "first";
    row.version = read->version + 1;
    ACTIONLOG_RETURN_IF_ERROR(tx.UpdateAction(row, read->version));
    row.message = "second";
    row.version += 1;
    ACTIONLOG_RETURN_IF_ERROR(tx.UpdateAction(row, row.version - 1));
    return AppendEntry(tx, row.id);
  }),
              IsOk());
  EXPECT_EQ(Raw("SELECT message || ' ' || version FROM instance_actions"), "second 3");
}

// The server drops every connection of the store (a restart, an idle timeout): the next read
// and the next write reconnect without an error reaching the caller.
TEST_F(PostgresStoreTest, DroppedConnectionsAreReopened) {
  PutInstance(kUuidA);
  // Only this test's database: other tests run in parallel on the same server. The store holds
  // at least its writer's and a reader's connections.
  const std::string terminated =
      Raw("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
          " WHERE application_name = 'actionlog' AND datname = current_database()"
          " AND pid <> pg_backend_pid()");
  EXPECT_EQ(terminated.substr(0, 3), "t\nt") << terminated;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Instance> row, tx.GetInstance(kUuidA));
    EXPECT_TRUE(row.has_value());
    return OkStatus();
  }),
              IsOk());
  Action action = MakeAction(kUuidA, "req-1", T(1));
  EXPECT_THAT(store_->Write([&](WriteTransaction& tx) -> Status {
    ACTIONLOG_RETURN_IF_ERROR(tx.InsertAction(action));
    return AppendEntry(tx, action.id);
  }),
              IsOk());
  EXPECT_EQ(AllChanges().size(), 1U);
}

TEST_F(PostgresStoreTest, ReadsSeeOneSnapshot) {
  PutInstance(kUuidA);
  std::atomic<bool> first_read{false};
  std::atomic<bool> written{false};
  std::thread reader([&] {
    EXPECT_THAT(store_->Read([&](ReadTransaction& tx) -> Status {
      ACTIONLOG_ASSIGN_OR_RETURN(auto before, tx.ScanActions(0, 100));
      first_read = true;
      while (!written) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      ACTIONLOG_ASSIGN_OR_RETURN(auto after, tx.ScanActions(0, 100));
      EXPECT_EQ(before.size(), after.size());
      return OkStatus();
    }),
                IsOk());
  });
  while (!first_read) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  PutAction(MakeAction(kUuidA, "req-1", T(1)));
  written = true;
  reader.join();
}

}  // namespace
}  // namespace actionlog::store
