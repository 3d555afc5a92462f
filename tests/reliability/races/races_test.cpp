// Races: many clients, each with its own keep-alive connection, released at once through the
// real HTTP server on the same records: registering the same instance, starting the same request
// id (identical and different), finishing the same event (equal and different outcomes), cloning
// an action while others start it or finish its events. Exactly one outcome wins, replays are
// idempotent, losers get 409, and afterwards the journal verifies and the change log holds
// exactly one entry per real change. On SQLite (file) and, with ACTIONLOG_TEST_PG_DSN, on
// PostgreSQL.
//
// ACTIONLOG_RACES_ROUNDS (default 5) and ACTIONLOG_RACES_CLIENTS (default 8) set the long form.
#include <algorithm>
#include <cstdlib>
#include <functional>
#include <latch>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "actionlog/store/open_store.hpp"
#include "live_server.hpp"
#include "testing/backends.hpp"
#include "testing/testing.hpp"

namespace actionlog::reliability {
namespace {

using actionlog::testing::Backend;
using actionlog::testing::IsOk;
using http::bhttp::verb;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::max(1, std::atoi(v)) : fallback;
}

std::size_t Count(const std::vector<Reply>& replies, unsigned status) {
  return static_cast<std::size_t>(std::count_if(
      replies.begin(), replies.end(), [&](const Reply& r) { return r.status == status; }));
}

std::string Statuses(const std::vector<Reply>& replies) {
  std::string out;
  for (const Reply& r : replies) {
    out += std::to_string(r.status) + " ";
  }
  return out;
}

std::string StartBody(const std::string& rid, const std::string& action) {
  return R"({"action": {"request_id": ")" + rid + R"(", "action": ")" + action +
         R"(", "user_id": "alice", "project_id": "projA", "start_time": "2026-01-01T00:00:00Z"}})";
}

std::string EventBody(const std::string& event) {
  return R"({"event": {"event": ")" + event +
         R"(", "host": "c1", "start_time": "2026-01-01T00:00:01Z"}})";
}

std::string FinishBody(const std::string& result, const std::string& details) {
  return R"({"result": ")" + result + R"(", "details": ")" + details +
         R"(", "finish_time": "2026-01-01T00:00:02Z"})";
}

// A complete action with two finished events, as a clone (PUT) body.
std::string CloneBody(const std::string& result) {
  const std::string message = result == "Error" ? R"("Error")" : "null";
  return R"({"action": {"action": "reboot", "user_id": "alice", "project_id": "projA",)"
         R"( "start_time": "2026-01-01T00:00:00Z", "finish_time": "2026-01-01T00:00:09Z",)"
         R"( "message": )" +
         message +
         R"(, "events": [{"event": "e1", "start_time": "2026-01-01T00:00:01Z",)"
         R"( "finish_time": "2026-01-01T00:00:02Z", "result": "Success", "host": "c1"},)"
         R"( {"event": "e2", "start_time": "2026-01-01T00:00:03Z",)"
         R"( "finish_time": "2026-01-01T00:00:04Z", "result": ")" +
         result + R"(", "host": "c1"}]}})";
}

class RacesTest : public ::testing::TestWithParam<Backend> {
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
    options.read_connections = 4;
    auto store = store::OpenStore(options);
    ASSERT_THAT(store, IsOk());
    journal_ = std::make_shared<Journal>(std::shared_ptr<store::Store>(std::move(*store)));
    http::ServerConfig config;
    config.io_threads = 2;
    config.write_threads = 16;
    server_ = std::make_unique<LiveServer>(journal_, config);
    ASSERT_TRUE(server_->ok());
    clients_ = std::max(4, EnvInt("ACTIONLOG_RACES_CLIENTS", 8));  // two per side at least
    rounds_ = EnvInt("ACTIONLOG_RACES_ROUNDS", 5);
    for (int i = 0; i < clients_; ++i) {
      pool_.push_back(std::make_unique<HttpClient>(server_->port()));
      // Connect now, so that the race starts with every connection open.
      ASSERT_EQ(pool_.back()->Call(verb::get, "/v2.1", {}).status, 200U);
    }
    HttpClient setup(server_->port());
    uuid_ = RandomUuid();
    ASSERT_EQ(
        Put(setup, "/journal/v1/instances/" + uuid_, R"({"instance": {"project_id": "projA"}})")
            .status,
        201U);
  }

  void TearDown() override {
    pool_.clear();
    server_.reset();
    journal_.reset();
  }

  static Reply Put(HttpClient& c, const std::string& target, const std::string& body) {
    return c.Call(verb::put, target, kServiceToken, body);
  }

  static Reply Post(HttpClient& c, const std::string& target, const std::string& body) {
    return c.Call(verb::post, target, kServiceToken, body);
  }

  // Runs fn(client, i) on every client's own thread, all released at the same moment.
  std::vector<Reply> Race(const std::function<Reply(HttpClient&, int)>& fn) {
    std::vector<Reply> replies(pool_.size());
    std::latch ready(static_cast<std::ptrdiff_t>(pool_.size()));
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < pool_.size(); ++i) {
      threads.emplace_back([&, i] {
        ready.arrive_and_wait();
        replies[i] = fn(*pool_[i], static_cast<int>(i));
      });
    }
    for (std::thread& t : threads) {
      t.join();
    }
    return replies;
  }

  std::string Actions() const { return "/journal/v1/instances/" + uuid_ + "/actions"; }

  Reply Get(const std::string& target) {
    HttpClient c(server_->port());
    return c.Call(verb::get, target, kServiceToken);
  }

  std::vector<ChangeEntry> CheckedLog() {
    EXPECT_THAT(VerifyJournal(*journal_), IsOk());
    auto log = ReadCheckedChangeLog(*journal_);
    EXPECT_THAT(log, IsOk());
    return log ? std::move(*log) : std::vector<ChangeEntry>{};
  }

  actionlog::testing::TestDatabase db_;
  std::shared_ptr<Journal> journal_;
  std::unique_ptr<LiveServer> server_;
  std::vector<std::unique_ptr<HttpClient>> pool_;
  std::string uuid_;
  int clients_ = 8;
  int rounds_ = 5;
};

// Everyone registers the same new instance: one 201, the rest identical replays; with two
// owning projects in the race, the losing project gets 409.
TEST_P(RacesTest, RegisterTheSameInstance) {
  for (int round = 0; round < rounds_; ++round) {
    const std::string same = RandomUuid();
    const std::string body = R"({"instance": {"project_id": "projA", "host": "c1"}})";
    std::vector<Reply> r =
        Race([&](HttpClient& c, int) { return Put(c, "/journal/v1/instances/" + same, body); });
    EXPECT_EQ(Count(r, 201), 1U) << Statuses(r);
    EXPECT_EQ(Count(r, 200), r.size() - 1) << Statuses(r);
    for (const Reply& x : r) {
      EXPECT_EQ(boost::json::serialize(x.json), boost::json::serialize(r[0].json));
    }

    const std::string contested = RandomUuid();
    r = Race([&](HttpClient& c, int i) {
      return Put(c, "/journal/v1/instances/" + contested,
                 R"({"instance": {"project_id": ")" + std::string(i % 2 == 0 ? "projA" : "projB") +
                     R"("}})");
    });
    ASSERT_EQ(Count(r, 201), 1U) << Statuses(r);
    const auto winner =
        std::find_if(r.begin(), r.end(), [](const Reply& x) { return x.status == 201; });
    const std::string project = Str(Member(winner->json, "instance"), "project_id");
    for (const Reply& x : r) {
      if (x.status == 200) {
        EXPECT_EQ(Str(Member(x.json, "instance"), "project_id"), project) << x.body;
      } else if (x.status != 201) {
        EXPECT_TRUE(IsFault(x, "conflictingRequest", 409)) << x.status << " " << x.body;
      }
    }
    EXPECT_EQ(Count(r, 409), r.size() / 2) << Statuses(r);

    const std::vector<ChangeEntry> log = CheckedLog();
    EXPECT_EQ(OperationsFor(log, "instance", same), std::vector<std::string>{"instance.create"});
    EXPECT_EQ(OperationsFor(log, "instance", contested),
              std::vector<std::string>{"instance.create"});
  }
}

// Everyone starts the same request id: identical bodies give one 201 and replays of the same
// record; different bodies give one winner and 409 for the others.
TEST_P(RacesTest, StartTheSameRequestId) {
  for (int round = 0; round < rounds_; ++round) {
    const std::string rid = RandomRequestId();
    std::vector<Reply> r =
        Race([&](HttpClient& c, int) { return Post(c, Actions(), StartBody(rid, "reboot")); });
    EXPECT_EQ(Count(r, 201), 1U) << Statuses(r);
    EXPECT_EQ(Count(r, 200), r.size() - 1) << Statuses(r);
    for (const Reply& x : r) {
      EXPECT_EQ(boost::json::serialize(x.json), boost::json::serialize(r[0].json));
    }

    const std::string contested = RandomRequestId();
    r = Race([&](HttpClient& c, int i) {
      return Post(c, Actions(), StartBody(contested, "act" + std::to_string(i)));
    });
    ASSERT_EQ(Count(r, 201), 1U) << Statuses(r);
    EXPECT_EQ(Count(r, 409), r.size() - 1) << Statuses(r);
    const auto winner =
        std::find_if(r.begin(), r.end(), [](const Reply& x) { return x.status == 201; });
    const Reply stored = Get(Actions() + "/" + contested);
    EXPECT_EQ(Str(Member(stored.json, "action"), "action"),
              Str(Member(winner->json, "action"), "action"));

    const std::vector<ChangeEntry> log = CheckedLog();
    EXPECT_EQ(OperationsFor(log, "action", uuid_, rid), std::vector<std::string>{"action.start"});
    EXPECT_EQ(OperationsFor(log, "action", uuid_, contested),
              std::vector<std::string>{"action.start"});
  }
}

// Everyone finishes the same event: equal outcomes are all 200 with one record and one change;
// with two different outcomes one wins (its side all 200), the other side gets 409, and the
// action's message is Error exactly when the winning outcome is Error.
TEST_P(RacesTest, FinishTheSameEvent) {
  HttpClient setup(server_->port());
  for (int round = 0; round < rounds_; ++round) {
    for (const bool contested : {false, true}) {
      const std::string rid = RandomRequestId();
      const std::string action = Actions() + "/" + rid;
      ASSERT_EQ(Post(setup, Actions(), StartBody(rid, "reboot")).status, 201U);
      ASSERT_EQ(Post(setup, action + "/events", EventBody("ev")).status, 201U);
      const std::vector<Reply> r = Race([&](HttpClient& c, int i) {
        const bool error = contested && i % 2 == 1;
        return Post(c, action + "/events/ev/finish",
                    FinishBody(error ? "Error" : "Success", error ? "boom" : "fine"));
      });
      ASSERT_GE(Count(r, 200), 1U) << Statuses(r);
      const auto winner =
          std::find_if(r.begin(), r.end(), [](const Reply& x) { return x.status == 200; });
      const std::string result = Str(Member(winner->json, "event"), "result");
      for (const Reply& x : r) {
        if (x.status == 200) {
          EXPECT_EQ(boost::json::serialize(x.json), boost::json::serialize(winner->json));
        } else {
          EXPECT_TRUE(contested && IsFault(x, "conflictingRequest", 409))
              << x.status << " " << x.body;
        }
      }
      EXPECT_EQ(Count(r, 200), contested ? r.size() / 2 : r.size()) << Statuses(r);
      const Reply stored = Get(action);
      const boost::json::object& a = Member(stored.json, "action");
      ASSERT_EQ(a.at("events").as_array().size(), 1U) << stored.body;
      EXPECT_EQ(boost::json::serialize(a.at("events").as_array()[0]),
                boost::json::serialize(winner->json.at("event")));
      if (result == "Error") {
        EXPECT_EQ(Str(a, "message"), "Error") << stored.body;
      } else {
        EXPECT_TRUE(a.at("message").is_null()) << stored.body;
      }
      const std::vector<ChangeEntry> log = CheckedLog();
      EXPECT_EQ(OperationsFor(log, "event", uuid_, rid, "ev"),
                (std::vector<std::string>{"event.start", "event.finish"}));
    }
  }
}

// Half the clients finish the action (two groups with different finish times), the other half
// finish its event with Error at the same moment: one finish time wins (its group all 200, the
// other 409), every event finisher gets the same record, and the action ends with the winning
// finish time and the Error message, each change logged once.
TEST_P(RacesTest, FinishTheActionWhileItsEventFinishes) {
  HttpClient setup(server_->port());
  for (int round = 0; round < rounds_; ++round) {
    const std::string rid = RandomRequestId();
    const std::string action = Actions() + "/" + rid;
    ASSERT_EQ(Post(setup, Actions(), StartBody(rid, "reboot")).status, 201U);
    ASSERT_EQ(Post(setup, action + "/events", EventBody("ev")).status, 201U);
    const std::vector<Reply> r = Race([&](HttpClient& c, int i) {
      if (i % 2 == 1) {
        return Post(c, action + "/events/ev/finish", FinishBody("Error", "boom"));
      }
      return Post(c, action + "/finish",
                  std::string(R"({"finish_time": "2026-01-01T00:00:0)") + (i % 4 == 0 ? "5" : "6") +
                      R"(Z"})");
    });
    ASSERT_GE(Count(r, 200), 1U + r.size() / 2) << Statuses(r);
    std::string finish_time;  // the winning finish time, from the first action finisher with 200
    for (std::size_t i = 0; i < r.size(); i += 2) {
      if (r[i].status == 200 && finish_time.empty()) {
        finish_time = Str(Member(r[i].json, "action"), "finish_time");
      }
    }
    ASSERT_FALSE(finish_time.empty()) << Statuses(r);
    const std::size_t winning_group = finish_time.starts_with("2026-01-01T00:00:05") ? 0 : 2;
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (i % 2 == 1) {
        // Every event finisher: the same record.
        EXPECT_EQ(r[i].status, 200U) << r[i].body;
        EXPECT_EQ(boost::json::serialize(r[i].json), boost::json::serialize(r[1].json));
      } else if (i % 4 == winning_group) {
        EXPECT_EQ(r[i].status, 200U) << r[i].body;
        EXPECT_EQ(Str(Member(r[i].json, "action"), "finish_time"), finish_time) << r[i].body;
      } else {
        EXPECT_TRUE(IsFault(r[i], "conflictingRequest", 409)) << r[i].status << " " << r[i].body;
      }
    }
    const Reply stored = Get(action);
    const boost::json::object& a = Member(stored.json, "action");
    EXPECT_EQ(Str(a, "finish_time"), finish_time) << stored.body;
    EXPECT_EQ(Str(a, "message"), "Error") << stored.body;
    const std::vector<ChangeEntry> log = CheckedLog();
    std::vector<std::string> ops = OperationsFor(log, "action", uuid_, rid);
    std::sort(ops.begin(), ops.end());
    EXPECT_EQ(ops, (std::vector<std::string>{"action.finish", "action.start"}));
    EXPECT_EQ(OperationsFor(log, "event", uuid_, rid, "ev"),
              (std::vector<std::string>{"event.start", "event.finish"}));
    // The event's start (updated_at) and failed finish (the Error message) changed the action
    // too: each event entry records the action's image after it, and the newest image in the
    // whole log is the stored action's.
    std::string newest_action_image;
    for (const ChangeEntry& e : log) {
      if (e.instance_uuid != uuid_ || e.request_id != rid) {
        continue;
      }
      if (e.entity == "event") {
        EXPECT_FALSE(e.parent_row.empty()) << e.operation;
        newest_action_image = e.parent_row;
      } else if (e.entity == "action") {
        newest_action_image = e.row;
      }
    }
    EXPECT_NE(newest_action_image.find(R"("message":"Error")"), std::string::npos)
        << newest_action_image;
    EXPECT_NE(newest_action_image.find(R"("finish_time":")" + finish_time.substr(0, 10)),
              std::string::npos)
        << newest_action_image;
  }
}

// Half the clients clone a complete action (PUT) while the other half finish its events one by
// one: every clone is either identical (200) or refused (409) and changes nothing; every finish
// is 200 with one record. Then, on a new request id, clones race with starts of the same id:
// exactly one creator, and a refused clone leaves none of its events.
TEST_P(RacesTest, CloneWhileOthersFinishOrStart) {
  HttpClient setup(server_->port());
  for (int round = 0; round < rounds_; ++round) {
    const std::string rid = RandomRequestId();
    const std::string action = Actions() + "/" + rid;
    ASSERT_EQ(Post(setup, Actions(), StartBody(rid, "reboot")).status, 201U);
    ASSERT_EQ(Post(setup, action + "/events", EventBody("e1")).status, 201U);
    ASSERT_EQ(Post(setup, action + "/events", EventBody("e2")).status, 201U);
    std::vector<Reply> r = Race([&](HttpClient& c, int i) {
      if (i % 2 == 0) {
        return Put(c, action, CloneBody("Success"));
      }
      const std::string event = i % 4 == 1 ? "e1" : "e2";
      return Post(c, action + "/events/" + event + "/finish", FinishBody("Success", "fine"));
    });
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (i % 2 == 0) {
        EXPECT_TRUE(r[i].status == 200 || IsFault(r[i], "conflictingRequest", 409))
            << r[i].status << " " << r[i].body;
      } else {
        EXPECT_EQ(r[i].status, 200U) << r[i].body;
        // Every finisher of the same event got the same record.
        EXPECT_EQ(boost::json::serialize(r[i].json), boost::json::serialize(r[i % 4].json));
      }
    }
    std::vector<ChangeEntry> log = CheckedLog();
    for (const char* event : {"e1", "e2"}) {
      EXPECT_EQ(OperationsFor(log, "event", uuid_, rid, event),
                (std::vector<std::string>{"event.start", "event.finish"}))
          << event;
    }
    EXPECT_EQ(OperationsFor(log, "event", uuid_, rid).size(), 4U);

    // A new request id: clones against identical starts.
    const std::string fresh = RandomRequestId();
    r = Race([&](HttpClient& c, int i) {
      if (i % 2 == 0) {
        return Put(c, Actions() + "/" + fresh, CloneBody(i % 4 == 0 ? "Success" : "Error"));
      }
      return Post(c, Actions(), StartBody(fresh, "reboot"));
    });
    ASSERT_EQ(Count(r, 201), 1U) << Statuses(r);
    const auto creator =
        std::find_if(r.begin(), r.end(), [](const Reply& x) { return x.status == 201; });
    const bool clone_won = (creator - r.begin()) % 2 == 0;
    const std::string won_result =
        clone_won && (creator - r.begin()) % 4 != 0 ? "Error" : "Success";
    const Reply stored = Get(Actions() + "/" + fresh);
    const boost::json::object& a = Member(stored.json, "action");
    ASSERT_EQ(stored.status, 200U) << stored.body;
    log = CheckedLog();
    if (clone_won) {
      ASSERT_EQ(a.at("events").as_array().size(), 2U) << stored.body;
      EXPECT_EQ(Str(a, "message"), won_result == "Error" ? "Error" : "") << stored.body;
      EXPECT_EQ(OperationsFor(log, "event", uuid_, fresh).size(), 2U);
    } else {
      EXPECT_TRUE(a.at("events").as_array().empty()) << stored.body;
      EXPECT_TRUE(a.at("finish_time").is_null()) << stored.body;
      EXPECT_TRUE(OperationsFor(log, "event", uuid_, fresh).empty());
    }
    EXPECT_EQ(OperationsFor(log, "action", uuid_, fresh).size(), 1U);
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (r[i].status == 201) {
        continue;
      }
      // The same body as the creator's is an identical replay; any other body is refused.
      // (A start names the same action, user, project and start time as both clones.)
      const auto creator_index = static_cast<std::size_t>(creator - r.begin());
      const bool same_body = i % 2 == 1 || (clone_won && i % 4 == creator_index % 4);
      if (same_body) {
        EXPECT_EQ(r[i].status, 200U) << i << " " << r[i].body;
      } else {
        EXPECT_TRUE(IsFault(r[i], "conflictingRequest", 409))
            << i << " " << r[i].status << " " << r[i].body;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, RacesTest,
                         ::testing::Values(Backend::kSqliteFile, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                           return actionlog::testing::BackendName(p.param);
                         });

}  // namespace
}  // namespace actionlog::reliability
