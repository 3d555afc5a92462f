// Storage faults: the real HTTP server over a SQLite file whose every I/O goes through a
// fault-injecting VFS. For each fault (disk full, write and fsync I/O errors, a busy write lock,
// a busy file lock), clients writing through /journal/v1 get a 503 serviceUnavailable fault with
// a stable message and no internal detail; reads keep being served while writes fail; nothing of
// a failed operation is stored; the journal verifies; and once the fault clears, writes succeed
// again and every write acknowledged before the fault is still there, also after a reopen.
//
// ACTIONLOG_FAULTS_ROUNDS (default 1) repeats the mixed (Nth call) cases with more clients.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "actionlog/store/open_store.hpp"
#include "fault_vfs.hpp"
#include "http/responses.hpp"
#include "live_server.hpp"
#include "testing/testing.hpp"

namespace actionlog::reliability {
namespace {

using actionlog::testing::ArmFault;
using actionlog::testing::DisarmFault;
using actionlog::testing::FaultOp;
using actionlog::testing::FaultRule;
using actionlog::testing::FaultsInjected;
using actionlog::testing::FaultTarget;
using actionlog::testing::IsOk;
using http::bhttp::verb;

constexpr std::string_view kProject = "projA";

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

using http::kUnavailableMessage;  // the one message of every 503

std::string ActionBody(const std::string& request_id, std::string_view action = "reboot") {
  return R"({"action": {"request_id": ")" + request_id + R"(", "action": ")" + std::string(action) +
         R"(", "user_id": "alice", "project_id": "projA", "start_time": "2026-01-01T00:00:00Z"}})";
}

// One client's unit of work: start an action, start an event, finish it with Error (which also
// sets the action's message): three operations, the last one changing two rows.
struct Unit {
  std::string rid;
  unsigned start = 0;
  unsigned event = 0;
  unsigned finish = 0;
};

std::string EventBody() {
  return R"({"event": {"event": "compute_reboot", "host": "c1", "start_time": "2026-01-01T00:00:01Z"}})";
}

std::string FinishBody(std::size_t traceback_bytes) {
  return R"({"result": "Error", "details": "boom", "finish_time": "2026-01-01T00:00:02Z", "traceback": ")" +
         std::string(traceback_bytes, 't') + R"("})";
}

class FaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(actionlog::testing::InstallFaultVfs());
    ASSERT_TRUE(std::string_view(sqlite3_vfs_find(nullptr)->zName) == "actionlog-fault");
    file_ = dir_.File("faults.db");
    Open();
    uuid_ = RandomUuid();
    HttpClient client(server_->port());
    const Reply put =
        client.Call(verb::put, "/journal/v1/instances/" + uuid_, kServiceToken,
                    R"({"instance": {"project_id": ")" + std::string(kProject) + R"("}})");
    ASSERT_EQ(put.status, 201U) << put.body;
  }

  void TearDown() override {
    DisarmFault();
    Close();
  }

  void Open() {
    store::StoreOptions options;
    options.url = "sqlite://" + file_;
    auto store = store::OpenStore(options);
    ASSERT_THAT(store, IsOk());
    journal_ = std::make_shared<Journal>(std::shared_ptr<store::Store>(std::move(*store)));
    http::ServerConfig config;
    config.io_threads = 2;
    config.write_threads = 8;
    server_ = std::make_unique<LiveServer>(journal_, config);
    ASSERT_TRUE(server_->ok());
  }

  void Close() {
    server_.reset();
    journal_.reset();
  }

  void Reopen() {
    DisarmFault();
    Close();
    Open();
  }

  std::string Actions() const { return "/journal/v1/instances/" + uuid_ + "/actions"; }

  // Starts `count` new actions from each of `clients` threads at once; returns request id ->
  // status.
  std::map<std::string, unsigned> StartConcurrently(int clients, int count,
                                                    std::vector<Reply>* failures = nullptr) {
    std::mutex mu;
    std::map<std::string, unsigned> out;
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&] {
        HttpClient client(server_->port());
        for (int i = 0; i < count; ++i) {
          const std::string rid = RandomRequestId();
          Reply r = client.Call(verb::post, Actions(), kServiceToken, ActionBody(rid));
          const std::lock_guard<std::mutex> lock(mu);
          out[rid] = r.status;
          if (r.status != 201 && failures != nullptr) {
            failures->push_back(std::move(r));
          }
        }
      });
    }
    for (std::thread& t : threads) {
      t.join();
    }
    return out;
  }

  // The request ids of the instance's live actions, read through Nova's API.
  std::set<std::string> ListedRequestIds() {
    HttpClient client(server_->port());
    const Reply r =
        client.Call(verb::get, "/v2.1/servers/" + uuid_ + "/os-instance-actions", kAdminToken);
    EXPECT_EQ(r.status, 200U) << r.body;
    std::set<std::string> ids;
    if (const auto* o = r.json.if_object()) {
      if (const auto* list = o->if_contains("instanceActions")) {
        for (const auto& a : list->as_array()) {
          ids.insert(Str(a.as_object(), "request_id"));
        }
      }
    }
    return ids;
  }

  // The 503 every failed write must get.
  static void ExpectUnavailable(const Reply& r) {
    EXPECT_TRUE(IsFault(r, "serviceUnavailable", 503)) << r.status << " " << r.body;
    EXPECT_EQ(FaultMessage(r), kUnavailableMessage) << r.body;
    for (const std::string_view leak :
         {"SQLite", "sqlite", "disk", "I/O", "locked", "busy", "transaction", "faults.db", "/"}) {
      EXPECT_EQ(FaultMessage(r).find(leak), std::string::npos) << leak << " in " << r.body;
    }
  }

  std::vector<Unit> RunUnits(int clients, int units, std::size_t traceback_bytes) {
    std::mutex mu;
    std::vector<Unit> out;
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&] {
        HttpClient client(server_->port());
        for (int i = 0; i < units; ++i) {
          Unit u;
          u.rid = RandomRequestId();
          const std::string action = Actions() + "/" + u.rid;
          u.start = client.Call(verb::post, Actions(), kServiceToken, ActionBody(u.rid)).status;
          if (u.start == 201) {
            u.event =
                client.Call(verb::post, action + "/events", kServiceToken, EventBody()).status;
          }
          if (u.event == 201) {
            u.finish = client
                           .Call(verb::post, action + "/events/compute_reboot/finish",
                                 kServiceToken, FinishBody(traceback_bytes))
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

  // Each unit is stored exactly as far as it was acknowledged: an operation that got 503 left
  // nothing behind (no event, no finish, no Error message on the action).
  void ExpectStoredAsAcknowledged(const std::vector<Unit>& units) {
    HttpClient client(server_->port());
    for (const Unit& u : units) {
      for (const unsigned status : {u.start, u.event, u.finish}) {
        EXPECT_TRUE(status == 0 || status == 200 || status == 201 || status == 503)
            << u.rid << " " << status;
      }
      const Reply r = client.Call(verb::get, Actions() + "/" + u.rid, kServiceToken);
      if (u.start != 201) {
        EXPECT_EQ(r.status, 404U) << u.rid << " " << r.body;
        continue;
      }
      ASSERT_EQ(r.status, 200U) << u.rid << " " << r.body;
      const boost::json::object& action = Member(r.json, "action");
      const auto& events = action.at("events").as_array();
      if (u.event != 201) {
        EXPECT_TRUE(events.empty()) << r.body;
        EXPECT_TRUE(action.at("message").is_null()) << r.body;
        continue;
      }
      ASSERT_EQ(events.size(), 1U) << r.body;
      const boost::json::object& event = events[0].as_object();
      if (u.finish == 200) {
        EXPECT_EQ(Str(event, "result"), "Error") << r.body;
        EXPECT_EQ(Str(action, "message"), "Error") << r.body;
      } else {
        EXPECT_TRUE(event.at("result").is_null()) << r.body;
        EXPECT_TRUE(event.at("finish_time").is_null()) << r.body;
        EXPECT_TRUE(action.at("message").is_null()) << r.body;
      }
    }
  }

  void ExpectConsistent() {
    ASSERT_THAT(VerifyJournal(*journal_), IsOk());
    ASSERT_THAT(ReadCheckedChangeLog(*journal_), IsOk());
    HttpClient client(server_->port());
    const Reply v = client.Call(verb::get, "/journal/v1/verify", kAdminToken);
    EXPECT_EQ(v.status, 200U) << v.body;
    EXPECT_TRUE(Member(v.json, "verify").at("ok").as_bool()) << v.body;
  }

  actionlog::testing::TempDir dir_;
  std::string file_;
  std::string uuid_;
  std::shared_ptr<Journal> journal_;
  std::unique_ptr<LiveServer> server_;
};

struct PersistentCase {
  const char* name;
  FaultRule rule;
  int writes_per_client;
};

void PrintTo(const PersistentCase& c, std::ostream* os) { *os << c.name; }

class PersistentFaultTest : public FaultsTest,
                            public ::testing::WithParamInterface<PersistentCase> {};

// Every write fails while the fault holds; reads go on; nothing is half-stored; recovery.
TEST_P(PersistentFaultTest, WritesFailCleanlyReadsGoOnAndTheServiceRecovers) {
  const PersistentCase& c = GetParam();
  const std::map<std::string, unsigned> acked = StartConcurrently(2, 3);
  for (const auto& [rid, status] : acked) {
    ASSERT_EQ(status, 201U) << rid;
  }

  ArmFault(c.rule);
  std::vector<Reply> failures;
  const std::map<std::string, unsigned> failed =
      StartConcurrently(4, c.writes_per_client, &failures);
  EXPECT_GT(FaultsInjected(), 0);
  for (const auto& [rid, status] : failed) {
    EXPECT_EQ(status, 503U) << rid;
  }
  for (const Reply& r : failures) {
    ExpectUnavailable(r);
  }

  // Reads are served while the fault holds (except a lock every reader needs too).
  if (c.rule.op != FaultOp::kLock) {
    const std::set<std::string> listed = ListedRequestIds();
    for (const auto& [rid, status] : acked) {
      EXPECT_TRUE(listed.contains(rid)) << rid;
    }
    for (const auto& [rid, status] : failed) {
      EXPECT_FALSE(listed.contains(rid)) << rid;
    }
    HttpClient client(server_->port());
    const Reply get = client.Call(verb::get, Actions() + "/" + acked.begin()->first, kServiceToken);
    EXPECT_EQ(get.status, 200U) << get.body;
  }

  DisarmFault();
  // The fault cleared: the failed writes were not stored, so their retries create them.
  {
    HttpClient client(server_->port());
    for (const auto& [rid, status] : failed) {
      const Reply r = client.Call(verb::post, Actions(), kServiceToken, ActionBody(rid));
      EXPECT_EQ(r.status, 201U) << rid << " " << r.body;
    }
  }
  const std::map<std::string, unsigned> later = StartConcurrently(2, 2);
  for (const auto& [rid, status] : later) {
    EXPECT_EQ(status, 201U) << rid;
  }
  ExpectConsistent();

  Reopen();
  const std::set<std::string> listed = ListedRequestIds();
  for (const auto* group : {&acked, &failed, &later}) {
    for (const auto& [rid, status] : *group) {
      EXPECT_TRUE(listed.contains(rid)) << rid;
    }
  }
  EXPECT_EQ(listed.size(), acked.size() + failed.size() + later.size());
  ExpectConsistent();
}

FaultRule Rule(FaultOp op, FaultTarget target, int rc) {
  FaultRule rule;
  rule.op = op;
  rule.target = target;
  rule.rc = rc;
  return rule;
}

INSTANTIATE_TEST_SUITE_P(
    Faults, PersistentFaultTest,
    ::testing::Values(
        PersistentCase{"WalWriteDiskFull", Rule(FaultOp::kWrite, FaultTarget::kWal, SQLITE_FULL),
                       3},
        PersistentCase{"WalWriteIoError",
                       Rule(FaultOp::kWrite, FaultTarget::kWal, SQLITE_IOERR_WRITE), 3},
        PersistentCase{"WalFsyncIoError",
                       Rule(FaultOp::kSync, FaultTarget::kWal, SQLITE_IOERR_FSYNC), 3},
        // A write lock held elsewhere: SQLite's busy handler waits 5 s, then gives up.
        PersistentCase{"WriteLockBusy", Rule(FaultOp::kShmLock, FaultTarget::kAny, SQLITE_BUSY),
                       1}),
    [](const ::testing::TestParamInfo<PersistentCase>& p) { return p.param.name; });

struct MixedCase {
  const char* name;
  FaultRule rule;
};

void PrintTo(const MixedCase& c, std::ostream* os) { *os << c.name; }

class MixedFaultTest : public FaultsTest, public ::testing::WithParamInterface<MixedCase> {};

// A fault on some calls only, under concurrent clients whose operations share group commits:
// each operation either is acknowledged and stored whole, or gets 503 and left nothing.
TEST_P(MixedFaultTest, EachOperationIsStoredWholeOrNotAtAll) {
  const int rounds = std::max(1, EnvInt("ACTIONLOG_FAULTS_ROUNDS", 1));
  const int clients = rounds > 1 ? 8 : 6;
  std::int64_t injected = 0;
  std::int64_t failed = 0;
  std::vector<Unit> all;
  for (int round = 0; round < rounds; ++round) {
    FaultRule rule = GetParam().rule;
    rule.skip += round % 5;  // move the failing call around from round to round
    ArmFault(rule);
    std::vector<Unit> units = RunUnits(clients, 4, 2048);
    injected += FaultsInjected();
    DisarmFault();
    for (const Unit& u : units) {
      failed += (u.start == 503) + (u.event == 503) + (u.finish == 503);
    }
    ExpectStoredAsAcknowledged(units);
    ExpectConsistent();
    all.insert(all.end(), units.begin(), units.end());
  }
  EXPECT_GT(injected, 0);
  EXPECT_GT(failed, 0);
  std::printf("%s: %d rounds, %zu units, %lld faults injected, %lld operations answered 503\n",
              GetParam().name, rounds, all.size(), static_cast<long long>(injected),
              static_cast<long long>(failed));
  Reopen();
  ExpectStoredAsAcknowledged(all);
  ExpectConsistent();
}

FaultRule NthRule(FaultOp op, FaultTarget target, int rc, std::int64_t skip, std::int64_t times) {
  FaultRule rule = Rule(op, target, rc);
  rule.skip = skip;
  rule.times = times;
  return rule;
}

INSTANTIATE_TEST_SUITE_P(
    Faults, MixedFaultTest,
    ::testing::Values(MixedCase{"WalWriteDiskFull",
                                NthRule(FaultOp::kWrite, FaultTarget::kWal, SQLITE_FULL, 20, 4)},
                      // The writer batches a commit's WAL frames into one write (a few for a
                      // large batch), so a run makes a few dozen WAL writes: skip 12.
                      MixedCase{"WalWriteIoError", NthRule(FaultOp::kWrite, FaultTarget::kWal,
                                                           SQLITE_IOERR_WRITE, 12, 2)},
                      MixedCase{"WalFsyncIoError", NthRule(FaultOp::kSync, FaultTarget::kWal,
                                                           SQLITE_IOERR_FSYNC, 5, 2)}),
    [](const ::testing::TestParamInfo<MixedCase>& p) { return p.param.name; });

// A write lock busy for a moment: SQLite's busy handler waits it out; every write succeeds.
TEST_F(FaultsTest, TransientBusyLockIsWaitedOut) {
  FaultRule rule = Rule(FaultOp::kShmLock, FaultTarget::kAny, SQLITE_BUSY);
  rule.times = 5;
  ArmFault(rule);
  const std::map<std::string, unsigned> started = StartConcurrently(4, 3);
  EXPECT_EQ(FaultsInjected(), 5);
  DisarmFault();
  const std::set<std::string> listed = ListedRequestIds();
  for (const auto& [rid, status] : started) {
    EXPECT_EQ(status, 201U) << rid;
    EXPECT_TRUE(listed.contains(rid)) << rid;
  }
  ExpectConsistent();
}

// Copies the database and its WAL as a crash would leave them (no shared memory), opens the
// copy with a fresh store, and returns its journal.
std::shared_ptr<Journal> OpenCrashImage(const std::string& file, const std::string& copy) {
  std::error_code ec;
  std::filesystem::copy_file(file, copy, std::filesystem::copy_options::overwrite_existing, ec);
  EXPECT_FALSE(ec) << ec.message();
  if (std::filesystem::exists(file + "-wal")) {
    std::filesystem::copy_file(file + "-wal", copy + "-wal",
                               std::filesystem::copy_options::overwrite_existing, ec);
    EXPECT_FALSE(ec) << ec.message();
  }
  store::StoreOptions options;
  options.url = "sqlite://" + copy;
  auto store = store::OpenStore(options);
  EXPECT_THAT(store, IsOk());
  if (!store) {
    return nullptr;
  }
  return std::make_shared<Journal>(std::shared_ptr<store::Store>(std::move(*store)));
}

// Checkpoints copy the WAL into the database file; when that write or its fsync fails, the
// commits already acknowledged stay readable and durable (SQLite keeps them in the WAL), and the
// clients see nothing: the checkpoint is retried later.
TEST_F(FaultsTest, CheckpointFaultsLoseNothing) {
  for (const FaultRule& rule : {Rule(FaultOp::kWrite, FaultTarget::kMainDb, SQLITE_IOERR_WRITE),
                                Rule(FaultOp::kSync, FaultTarget::kMainDb, SQLITE_IOERR_FSYNC)}) {
    SCOPED_TRACE(actionlog::testing::FaultOpName(rule.op) + " " + std::to_string(rule.rc));
    ArmFault(rule);
    // ~60 KB per finish: the WAL passes SQLite's 1000-page autocheckpoint within the run.
    const std::vector<Unit> units = RunUnits(4, 18, 60000);
    EXPECT_GT(FaultsInjected(), 0);
    for (const Unit& u : units) {
      EXPECT_EQ(u.start, 201U);
      EXPECT_EQ(u.event, 201U);
      EXPECT_EQ(u.finish, 200U);
    }
    ExpectConsistent();
    {
      const std::shared_ptr<Journal> image = OpenCrashImage(file_, dir_.File("image.db"));
      ASSERT_NE(image, nullptr);
      EXPECT_THAT(VerifyJournal(*image), IsOk());
      for (const Unit& u : units) {
        const auto action = image->GetAction(uuid_, u.rid);
        ASSERT_THAT(action, IsOk());
        EXPECT_EQ(action->action.message.value_or(""), "Error");
      }
    }
    DisarmFault();
  }
  Reopen();
  ExpectConsistent();
}

// After an fsync of the WAL fails, SQLite cannot tell whether the commit reached the disk. The
// writes of that commit get 503 and are not visible; they may or may not survive a crash (the
// frames are in the WAL file): either way the database is consistent and a retry is safe.
TEST_F(FaultsTest, FsyncFailureOutcomeIsWholeEitherWay) {
  FaultRule rule = Rule(FaultOp::kSync, FaultTarget::kWal, SQLITE_IOERR_FSYNC);
  rule.times = 1;
  HttpClient client(server_->port());
  const std::string acked = RandomRequestId();
  ASSERT_EQ(client.Call(verb::post, Actions(), kServiceToken, ActionBody(acked)).status, 201U);
  ArmFault(rule);
  const std::string doubtful = RandomRequestId();
  const Reply failed = client.Call(verb::post, Actions(), kServiceToken, ActionBody(doubtful));
  ExpectUnavailable(failed);
  EXPECT_EQ(FaultsInjected(), 1);
  DisarmFault();
  EXPECT_EQ(client.Call(verb::get, Actions() + "/" + doubtful, kServiceToken).status, 404U);

  const std::shared_ptr<Journal> image = OpenCrashImage(file_, dir_.File("image.db"));
  ASSERT_NE(image, nullptr);
  EXPECT_THAT(VerifyJournal(*image), IsOk());
  EXPECT_THAT(image->GetAction(uuid_, acked), IsOk());
  const auto in_image = image->GetAction(uuid_, doubtful);
  if (in_image) {
    EXPECT_EQ(in_image->action.action, "reboot");
    EXPECT_EQ(in_image->action.version, 1);
  } else {
    EXPECT_EQ(in_image.error().code, ErrorCode::kNotFound);
  }
  std::printf("a commit whose fsync failed is %s after a crash\n", in_image ? "present" : "absent");

  // Live, the retry creates it; then the store goes on as usual.
  EXPECT_EQ(client.Call(verb::post, Actions(), kServiceToken, ActionBody(doubtful)).status, 201U);
  EXPECT_EQ(client.Call(verb::post, Actions(), kServiceToken, ActionBody(doubtful)).status, 200U);
  ExpectConsistent();
  Reopen();
  ExpectConsistent();
}

}  // namespace
}  // namespace actionlog::reliability
