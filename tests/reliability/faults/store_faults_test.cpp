// Storage faults between the journal and the store: a Store wrapper fails a chosen write call
// (an insert, an update, a change-log append) in the middle of an operation, under concurrent
// clients of the real HTTP server, on SQLite (file) and, with ACTIONLOG_TEST_PG_DSN, on
// PostgreSQL. The failed operation must vanish whole — its earlier rows and change-log entries
// rolled back with it — while the other operations of the same group commit are kept.
#include <atomic>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "actionlog/store/open_store.hpp"
#include "http/responses.hpp"
#include "live_server.hpp"
#include "testing/backends.hpp"
#include "testing/testing.hpp"

namespace actionlog::reliability {
namespace {

using actionlog::testing::Backend;
using actionlog::testing::IsOk;
using http::bhttp::verb;

enum class Call : std::uint8_t {
  kInsertAction,
  kInsertEvent,
  kUpdateEvent,
  kUpdateAction,
  kAppend
};

// Fails every `every`-th call of one kind with kUnavailable, while armed.
struct Injector {
  std::atomic<bool> armed{false};
  Call call = Call::kAppend;
  int every = 3;
  std::atomic<int> seen{0};
  std::atomic<int> injected{0};

  Status Check(Call c) {
    if (!armed.load() || c != call || (seen.fetch_add(1) + 1) % every != 0) {
      return OkStatus();
    }
    injected.fetch_add(1);
    return MakeError(ErrorCode::kUnavailable, "injected store fault");
  }
};

class FaultyWriteTransaction final : public store::WriteTransaction {
 public:
  FaultyWriteTransaction(store::WriteTransaction& tx, Injector& faults)
      : tx_(tx), faults_(faults) {}

  Result<std::optional<Instance>> GetInstance(std::string_view uuid) override {
    return tx_.GetInstance(uuid);
  }

  Result<std::optional<Action>> GetAction(std::string_view instance_uuid,
                                          std::string_view request_id) override {
    return tx_.GetAction(instance_uuid, request_id);
  }

  Result<std::vector<Action>> ListActions(const store::ActionPageQuery& query) override {
    return tx_.ListActions(query);
  }

  Result<std::vector<Event>> ListEvents(std::int64_t action_id) override {
    return tx_.ListEvents(action_id);
  }

  Result<std::vector<ChangeEntry>> ReadChanges(std::int64_t after_seq, int limit) override {
    return tx_.ReadChanges(after_seq, limit);
  }

  Result<store::ChainHead> GetChainHead() override { return tx_.GetChainHead(); }

  Result<std::optional<ChangeEntry>> LatestChangeFor(store::Entity entity,
                                                     std::int64_t id) override {
    return tx_.LatestChangeFor(entity, id);
  }

  Result<std::optional<ChangeEntry>> LatestParentChangeFor(std::int64_t action_id) override {
    return tx_.LatestParentChangeFor(action_id);
  }

  Result<std::int64_t> CountLoggedEntities(store::Entity entity) override {
    return tx_.CountLoggedEntities(entity);
  }

  Result<std::vector<Instance>> ScanInstances(std::int64_t after_id, int limit) override {
    return tx_.ScanInstances(after_id, limit);
  }

  Result<std::vector<Action>> ScanActions(std::int64_t after_id, int limit) override {
    return tx_.ScanActions(after_id, limit);
  }

  Result<std::vector<Event>> ScanEvents(std::int64_t after_id, int limit) override {
    return tx_.ScanEvents(after_id, limit);
  }

  Result<std::vector<Event>> FindEvents(std::int64_t action_id, std::string_view event) override {
    return tx_.FindEvents(action_id, event);
  }

  Status InsertInstance(Instance& row) override { return tx_.InsertInstance(row); }

  Status InsertAction(Action& row) override {
    ACTIONLOG_RETURN_IF_ERROR(tx_.InsertAction(row));
    return faults_.Check(Call::kInsertAction);  // after the row went in: it must be undone
  }

  Status InsertEvent(Event& row) override {
    ACTIONLOG_RETURN_IF_ERROR(tx_.InsertEvent(row));
    return faults_.Check(Call::kInsertEvent);
  }

  Status UpdateInstance(const Instance& row, std::int64_t expected_version) override {
    return tx_.UpdateInstance(row, expected_version);
  }

  Status UpdateAction(const Action& row, std::int64_t expected_version) override {
    ACTIONLOG_RETURN_IF_ERROR(tx_.UpdateAction(row, expected_version));
    return faults_.Check(Call::kUpdateAction);
  }

  Status UpdateEvent(const Event& row, std::int64_t expected_version) override {
    ACTIONLOG_RETURN_IF_ERROR(tx_.UpdateEvent(row, expected_version));
    return faults_.Check(Call::kUpdateEvent);
  }

  Result<store::ChainHead> LockChainHead() override { return tx_.LockChainHead(); }

  Status AppendChange(const ChangeEntry& entry) override {
    ACTIONLOG_RETURN_IF_ERROR(tx_.AppendChange(entry));
    return faults_.Check(Call::kAppend);  // the entry is appended, then the operation fails
  }

 private:
  store::WriteTransaction& tx_;
  Injector& faults_;
};

class FaultyStore final : public store::Store {
 public:
  FaultyStore(std::unique_ptr<store::Store> inner, Injector& faults)
      : inner_(std::move(inner)), faults_(faults) {}

  Status Read(const store::ReadFn& fn) override { return inner_->Read(fn); }

  Status Write(const store::WriteFn& fn) override {
    return inner_->Write([&](store::WriteTransaction& tx) -> Status {
      FaultyWriteTransaction faulty(tx, faults_);
      return fn(faulty);
    });
  }

  Result<int> SchemaVersion() override { return inner_->SchemaVersion(); }

  Status Upgrade() override { return inner_->Upgrade(); }

  std::string_view Backend() const override { return inner_->Backend(); }

 private:
  std::unique_ptr<store::Store> inner_;
  Injector& faults_;
};

struct Unit {
  std::string rid;
  unsigned start = 0;
  unsigned event = 0;
  unsigned finish = 0;
};

class StoreFaultsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = actionlog::testing::MakeTestDatabase(GetParam());
    ASSERT_THAT(db, IsOk());
    db_ = std::move(*db);
    if (db_.skip) {
      GTEST_SKIP() << db_.skip_reason;
    }
    store::StoreOptions options;
    options.url = db_.url;
    auto inner = store::OpenStore(options);
    ASSERT_THAT(inner, IsOk());
    journal_ = std::make_shared<Journal>(std::make_shared<FaultyStore>(std::move(*inner), faults_));
    http::ServerConfig config;
    config.io_threads = 2;
    config.write_threads = 8;
    server_ = std::make_unique<LiveServer>(journal_, config);
    ASSERT_TRUE(server_->ok());
    uuid_ = RandomUuid();
    HttpClient client(server_->port());
    ASSERT_EQ(client
                  .Call(verb::put, "/journal/v1/instances/" + uuid_, kServiceToken,
                        R"({"instance": {"project_id": "projA"}})")
                  .status,
              201U);
  }

  void TearDown() override {
    server_.reset();
    journal_.reset();
  }

  std::string Actions() const { return "/journal/v1/instances/" + uuid_ + "/actions"; }

  // 6 clients × 4 units: start an action, start an event, finish it with Error.
  std::vector<Unit> RunUnits() {
    std::mutex mu;
    std::vector<Unit> out;
    std::vector<std::thread> threads;
    for (int c = 0; c < 6; ++c) {
      threads.emplace_back([&] {
        HttpClient client(server_->port());
        for (int i = 0; i < 4; ++i) {
          Unit u;
          u.rid = RandomRequestId();
          const std::string action = Actions() + "/" + u.rid;
          u.start = client
                        .Call(verb::post, Actions(), kServiceToken,
                              R"({"action": {"request_id": ")" + u.rid +
                                  R"(", "action": "reboot", "user_id": "u", "project_id": "projA",)"
                                  R"( "start_time": "2026-01-01T00:00:00Z"}})")
                        .status;
          if (u.start == 201) {
            u.event =
                client
                    .Call(verb::post, action + "/events", kServiceToken,
                          R"({"event": {"event": "ev", "start_time": "2026-01-01T00:00:01Z"}})")
                    .status;
          }
          if (u.event == 201) {
            u.finish = client
                           .Call(verb::post, action + "/events/ev/finish", kServiceToken,
                                 R"({"result": "Error", "details": "boom",)"
                                 R"( "finish_time": "2026-01-01T00:00:02Z"})")
                           .status;
          }
          const std::lock_guard<std::mutex> lock(mu);
          out.push_back(u);
        }
      });
    }
    for (std::thread& t : threads) {
      t.join();
    }
    return out;
  }

  void ExpectWholeOrAbsent(const std::vector<Unit>& units) {
    HttpClient client(server_->port());
    for (const Unit& u : units) {
      const Reply r = client.Call(verb::get, Actions() + "/" + u.rid, kServiceToken);
      if (u.start != 201) {
        EXPECT_EQ(u.start, 503U) << u.rid;
        EXPECT_EQ(r.status, 404U) << r.body;
        continue;
      }
      ASSERT_EQ(r.status, 200U) << r.body;
      const boost::json::object& action = Member(r.json, "action");
      const auto& events = action.at("events").as_array();
      if (u.event != 201) {
        EXPECT_EQ(u.event, 503U) << u.rid;
        EXPECT_TRUE(events.empty()) << r.body;
        EXPECT_TRUE(action.at("message").is_null()) << r.body;
        continue;
      }
      ASSERT_EQ(events.size(), 1U) << r.body;
      if (u.finish == 200) {
        EXPECT_EQ(Str(events[0].as_object(), "result"), "Error") << r.body;
        EXPECT_EQ(Str(action, "message"), "Error") << r.body;
      } else {
        EXPECT_EQ(u.finish, 503U) << u.rid;
        EXPECT_TRUE(events[0].as_object().at("result").is_null()) << r.body;
        EXPECT_TRUE(action.at("message").is_null()) << r.body;
      }
    }
  }

  actionlog::testing::TestDatabase db_;
  Injector faults_;
  std::shared_ptr<Journal> journal_;
  std::unique_ptr<LiveServer> server_;
  std::string uuid_;
};

TEST_P(StoreFaultsTest, AnOperationFailingMidwayVanishesWhole) {
  for (const Call call : {Call::kInsertAction, Call::kInsertEvent, Call::kUpdateEvent,
                          Call::kUpdateAction, Call::kAppend}) {
    SCOPED_TRACE(static_cast<int>(call));
    faults_.call = call;
    faults_.every = call == Call::kAppend ? 4 : 3;
    faults_.seen = 0;
    faults_.injected = 0;
    faults_.armed = true;
    const std::vector<Unit> units = RunUnits();
    faults_.armed = false;
    EXPECT_GT(faults_.injected.load(), 0);
    ExpectWholeOrAbsent(units);
    ASSERT_THAT(VerifyJournal(*journal_), IsOk());
    ASSERT_THAT(ReadCheckedChangeLog(*journal_), IsOk());
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreFaultsTest,
                         ::testing::Values(Backend::kSqliteFile, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                           return actionlog::testing::BackendName(p.param);
                         });

}  // namespace
}  // namespace actionlog::reliability
