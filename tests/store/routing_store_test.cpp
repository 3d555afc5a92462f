// OpenStore with StoreOptions::read_url (src/store/routing_store.cpp): reads on the read
// database, writes (and the reads inside them) on the primary; StoreOptions::read_only.
// A copy of the primary's file stands in for a replica that has not yet replayed the latest
// writes. The same routing on a real PostgreSQL hot standby: tests/postgres/replica.py.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "actionlog/core/journal.hpp"
#include "actionlog/store/open_store.hpp"
#include "testing/testing.hpp"

namespace actionlog::store {
namespace {

using ::actionlog::testing::HasError;
using ::actionlog::testing::IsOk;
using ::actionlog::testing::TempDir;
using ::testing::HasSubstr;

constexpr std::string_view kInstance = "6f1d3c9e-2b7a-4c1e-9f0a-3d2b1c4e5f60";

const Actor& TestActor() {
  static const Actor actor{"user-1", "project-1", "test"};
  return actor;
}

StartActionSpec ActionSpec(std::string request_id) {
  return {
      std::string(kInstance), std::move(request_id), "reboot", "user-1", "project-1", std::nullopt};
}

StoreOptions Options(const std::string& path) {
  StoreOptions options;
  options.url = "sqlite://" + path;
  return options;
}

Result<std::shared_ptr<Store>> OpenShared(const StoreOptions& options) {
  ACTIONLOG_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(options));
  return std::shared_ptr<Store>(std::move(store));
}

// A database with the instance and action req-1, closed (so its WAL is checkpointed into it).
void Seed(const std::string& path) {
  ASSERT_OK_AND_ASSIGN(auto store, OpenShared(Options(path)));
  Journal journal(store);
  InstanceSpec instance;
  instance.uuid = std::string(kInstance);
  instance.project_id = "project-1";
  ASSERT_THAT(journal.PutInstance(TestActor(), instance), IsOk());
  ASSERT_THAT(journal.StartAction(TestActor(), ActionSpec("req-1")), IsOk());
}

void SetSchemaVersion(const std::string& path, int version) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string sql = "UPDATE actionlog_meta SET value = '" + std::to_string(version) +
                          "' WHERE key = 'schema_version'";
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

class RoutingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Seed(primary_);
    std::filesystem::copy_file(primary_, replica_);
  }

  TempDir dir_;
  const std::string primary_ = dir_.File("primary.db");
  const std::string replica_ = dir_.File("replica.db");
};

TEST_F(RoutingStoreTest, ReadsGoToTheReadDatabaseAndWritesToThePrimary) {
  StoreOptions options = Options(primary_);
  options.read_url = "sqlite://" + replica_;
  ASSERT_OK_AND_ASSIGN(auto store, OpenShared(options));
  EXPECT_EQ(store->Backend(), "sqlite");
  ASSERT_OK_AND_ASSIGN(const int version, store->SchemaVersion());
  EXPECT_EQ(version, kSchemaVersion);
  Journal journal(store);

  ASSERT_THAT(journal.StartAction(TestActor(), ActionSpec("req-2")), IsOk());
  // The event's own checks read the primary: req-2 is not on the read database.
  StartEventSpec event{std::string(kInstance), "req-2", "compute_reboot_instance", "host-1",
                       std::nullopt};
  EXPECT_THAT(journal.StartEvent(TestActor(), event), IsOk());
  // So does an identical replay (200, not a second row) and a conflicting one (409).
  ASSERT_OK_AND_ASSIGN(const auto replay, journal.StartAction(TestActor(), ActionSpec("req-2")));
  EXPECT_FALSE(replay.created);
  StartActionSpec conflicting = ActionSpec("req-2");
  conflicting.action = "stop";
  EXPECT_THAT(journal.StartAction(TestActor(), conflicting), HasError(ErrorCode::kConflict));

  // Reads see the read database: req-1 only.
  EXPECT_THAT(journal.GetAction(kInstance, "req-1"), IsOk());
  EXPECT_THAT(journal.GetAction(kInstance, "req-2"), HasError(ErrorCode::kNotFound));
  ListActionsSpec list;
  list.instance_uuid = std::string(kInstance);
  ASSERT_OK_AND_ASSIGN(const auto listed, journal.ListActions(list));
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0].request_id, "req-1");
  // A Journal that reads the primary (read-your-writes) sees them, on the same store.
  Journal latest(store, ReadFrom::kPrimary);
  ASSERT_OK_AND_ASSIGN(const ActionWithEvents own, latest.GetAction(kInstance, "req-2"));
  EXPECT_EQ(own.events.size(), 1U);
  store.reset();

  // The primary holds the writes; the read database was not written.
  ASSERT_OK_AND_ASSIGN(auto primary, OpenShared(Options(primary_)));
  Journal on_primary(primary);
  ASSERT_OK_AND_ASSIGN(const ActionWithEvents written, on_primary.GetAction(kInstance, "req-2"));
  EXPECT_EQ(written.events.size(), 1U);
  ASSERT_OK_AND_ASSIGN(const VerifyReport report, on_primary.Verify());
  EXPECT_TRUE(report.ok);
  ASSERT_OK_AND_ASSIGN(auto replica, OpenShared(Options(replica_)));
  Journal on_replica(replica);
  EXPECT_THAT(on_replica.GetAction(kInstance, "req-2"), HasError(ErrorCode::kNotFound));
}

TEST_F(RoutingStoreTest, AReadOnlyStoreRefusesWritesAndUpgrades) {
  StoreOptions options = Options(replica_);
  options.read_only = true;
  ASSERT_OK_AND_ASSIGN(auto store, OpenShared(options));
  EXPECT_THAT(store->Write([](WriteTransaction&) { return OkStatus(); }),
              HasError(ErrorCode::kUnsupported));
  EXPECT_THAT(store->Upgrade(), HasError(ErrorCode::kUnsupported));
  Journal journal(store);
  EXPECT_THAT(journal.StartAction(TestActor(), ActionSpec("req-3")),
              HasError(ErrorCode::kUnsupported));
  EXPECT_THAT(journal.GetAction(kInstance, "req-1"), IsOk());

  // Read-only never creates a database.
  StoreOptions missing = Options(dir_.File("missing.db"));
  missing.read_only = true;
  EXPECT_FALSE(OpenStore(missing).has_value());
  EXPECT_FALSE(std::filesystem::exists(dir_.File("missing.db")));
}

TEST_F(RoutingStoreTest, RefusesAReadDatabaseAtAnotherSchemaVersion) {
  SetSchemaVersion(replica_, kSchemaVersion - 1);
  StoreOptions options = Options(primary_);
  options.read_url = "sqlite://" + replica_;
  const auto older = OpenStore(options);
  ASSERT_THAT(older, HasError(ErrorCode::kUnsupported));
  EXPECT_THAT(older.error().message, HasSubstr("read database 'sqlite://" + replica_ + "'"));

  // Even where old schemas may be opened (`db upgrade`), the two must agree.
  options.allow_old_schema = true;
  const auto mismatch = OpenStore(options);
  ASSERT_THAT(mismatch, HasError(ErrorCode::kUnsupported));
  EXPECT_THAT(mismatch.error().message,
              HasSubstr("schema version " + std::to_string(kSchemaVersion - 1)));

  options.read_url = "sqlite://" + dir_.File("no/such/dir/replica.db");
  options.allow_old_schema = false;
  const auto unreachable = OpenStore(options);
  ASSERT_FALSE(unreachable.has_value());
  EXPECT_THAT(unreachable.error().message, HasSubstr("read database"));
}

}  // namespace
}  // namespace actionlog::store
