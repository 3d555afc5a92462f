// The journal's rules, run against every store backend (SQLite in memory, SQLite on a file, and
// PostgreSQL when ACTIONLOG_TEST_PG_DSN is set). Each numbered rule of the core issue has tests
// here that fail when the rule is broken.
#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include <sqlite3.h>

#include "actionlog/core/journal.hpp"
#include "actionlog/store/open_store.hpp"
#include "testing/backends.hpp"
#include "testing/testing.hpp"

namespace actionlog {
namespace {

using ::actionlog::testing::HasError;
using ::actionlog::testing::IsOk;

constexpr char kInstance[] = "0a26c298-bdc6-4a1d-8ae4-5bedd52e1414";
constexpr char kOtherInstance[] = "11111111-2222-4333-8444-555555555555";
constexpr std::int64_t kSecond = 1000000;

Timestamp T(std::int64_t seconds) { return Timestamp{1700000000 * kSecond + seconds * kSecond}; }

class ConformanceTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, testing::MakeTestDatabase(GetParam()));
    if (db_.skip) {
      GTEST_SKIP() << db_.skip_reason;
    }
    Reopen();
    ASSERT_THAT(journal_->PutInstance(actor_, {kInstance, "proj-a", "user-a", "host1", "vm1", {}}),
                IsOk());
  }

  void Reopen() {
    journal_.reset();
    store::StoreOptions options;
    options.url = db_.url;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> s, store::OpenStore(options));
    journal_ = std::make_unique<Journal>(std::shared_ptr<store::Store>(std::move(s)));
  }

  Action Start(const std::string& rid, const std::string& name = "reboot",
               std::optional<Timestamp> at = std::nullopt) {
    auto r = journal_->StartAction(actor_, {kInstance, rid, name, "user-a", "proj-a", at});
    EXPECT_THAT(r, IsOk());
    return r ? r->record : Action{};
  }

  Event StartEv(const std::string& rid, const std::string& name,
                std::optional<Timestamp> at = std::nullopt) {
    auto r = journal_->StartEvent(actor_, {kInstance, rid, name, "compute1", at});
    EXPECT_THAT(r, IsOk());
    return r ? r->record : Event{};
  }

  Result<Written<Event>> Finish(const std::string& rid, const std::string& name,
                                const std::string& result,
                                std::optional<std::string> details = std::nullopt,
                                std::optional<Timestamp> at = std::nullopt) {
    FinishEventSpec spec{kInstance, rid, name, result, std::move(details), std::nullopt, at, {}};
    return journal_->FinishEvent(actor_, spec);
  }

  // An action of kInstance as a clone gives it: started at T(0), last updated at `updated`.
  static Action CloneableAction(const std::string& rid, const std::string& name,
                                Timestamp updated) {
    Action a;
    a.instance_uuid = kInstance;
    a.request_id = rid;
    a.action = name;
    a.user_id = "u";
    a.project_id = "p";
    a.start_time = T(0);
    a.updated_at = updated;
    return a;
  }

  void ExpectVerified() {
    auto report = journal_->Verify();
    ASSERT_THAT(report, IsOk());
    EXPECT_TRUE(report->ok) << report->problem;
  }

  testing::TestDatabase db_;
  std::unique_ptr<Journal> journal_;
  Actor actor_{"user-a", "proj-a", "test"};
};

// Rule 1: identity of an action is (instance, request id).
TEST_P(ConformanceTest, StartActionReplayIsIdempotent) {
  const Action first = Start("req-1", "reboot", T(0));
  auto again =
      journal_->StartAction(actor_, {kInstance, "req-1", "reboot", "user-a", "proj-a", T(0)});
  ASSERT_THAT(again, IsOk());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->record.id, first.id);
  ASSERT_OK_AND_ASSIGN(auto list, journal_->ListActions({kInstance, {}, {}, {}, {}}));
  EXPECT_EQ(list.size(), 1U);
}

TEST_P(ConformanceTest, StartActionDifferentContentSameRequestIsConflict) {
  Start("req-1", "reboot");
  EXPECT_THAT(journal_->StartAction(actor_, {kInstance, "req-1", "stop", "user-a", "proj-a", {}}),
              HasError(ErrorCode::kConflict));
  EXPECT_THAT(journal_->StartAction(actor_, {kInstance, "req-1", "reboot", "user-b", "proj-a", {}}),
              HasError(ErrorCode::kConflict));
  ASSERT_OK_AND_ASSIGN(auto got, journal_->GetAction(kInstance, "req-1"));
  EXPECT_EQ(got.action.action, "reboot");
}

TEST_P(ConformanceTest, SameRequestIdOnOtherInstanceIsAllowed) {
  ASSERT_THAT(journal_->PutInstance(actor_, {kOtherInstance, "proj-a", {}, {}, {}, {}}), IsOk());
  Start("req-multi", "create");
  EXPECT_THAT(journal_->StartAction(
                  actor_, {kOtherInstance, "req-multi", "create", "user-a", "proj-a", {}}),
              IsOk());
}

TEST_P(ConformanceTest, StartActionOnUnknownOrDeletedInstance) {
  EXPECT_THAT(journal_->StartAction(actor_, {kOtherInstance, "r", "create", "u", "p", {}}),
              HasError(ErrorCode::kNotFound));
  ASSERT_THAT(journal_->DeleteInstance(actor_, kInstance), IsOk());
  EXPECT_THAT(journal_->StartAction(actor_, {kInstance, "r", "create", "u", "p", {}}),
              HasError(ErrorCode::kFailedPrecondition));
}

// Rule 2: clone checks identity and validity.
TEST_P(ConformanceTest, CloneIdenticalIsNoOpDifferentIsConflict) {
  ActionWithEvents rec;
  rec.action = CloneableAction("req-c", "stop", T(2));
  Event e;
  e.event = "compute_stop_instance";
  e.start_time = T(1);
  e.finish_time = T(2);
  e.result = "Success";
  e.host = "compute1";
  rec.events.push_back(e);
  ASSERT_OK_AND_ASSIGN(auto first, journal_->CloneActionWithEvents(actor_, rec));
  EXPECT_TRUE(first.created);
  ASSERT_OK_AND_ASSIGN(auto second, journal_->CloneActionWithEvents(actor_, rec));
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.record.action.id, first.record.action.id);
  ASSERT_EQ(second.record.events.size(), 1U);

  ActionWithEvents changed = rec;
  changed.action.action = "start";
  EXPECT_THAT(journal_->CloneActionWithEvents(actor_, changed), HasError(ErrorCode::kConflict));
  ActionWithEvents changed_event = rec;
  changed_event.events[0].result = "Error";
  changed_event.action.message = "Error";
  EXPECT_THAT(journal_->CloneActionWithEvents(actor_, changed_event),
              HasError(ErrorCode::kConflict));
  ExpectVerified();
}

// CloneMode::kAdvance (import): a stored record may be brought forward to a later state of
// itself, never changed into another record.
TEST_P(ConformanceTest, CloneAdvanceBringsEarlierStatesForwardOnly) {
  ActionWithEvents rec;
  rec.action = CloneableAction("req-adv", "resize", T(1));
  Event open;
  open.event = "compute_resize_instance";
  open.start_time = T(1);
  open.host = "compute1";
  rec.events.push_back(open);
  ASSERT_OK_AND_ASSIGN(auto first, journal_->CloneActionWithEvents(actor_, rec));
  EXPECT_TRUE(first.created);

  // Later: the event failed, the action is marked Error and finished, a new event appeared.
  ActionWithEvents later = rec;
  later.events[0].finish_time = T(3);
  later.events[0].result = "Error";
  later.events[0].traceback = "Traceback";
  later.events[0].details = "boom";
  later.events[0].updated_at = T(3);
  Event cleanup;
  cleanup.event = "compute_cleanup";
  cleanup.start_time = T(4);
  cleanup.finish_time = T(5);
  cleanup.result = "Success";
  later.events.push_back(cleanup);
  later.action.message = "Error";
  later.action.finish_time = T(5);
  later.action.updated_at = T(5);
  EXPECT_THAT(journal_->CloneActionWithEvents(actor_, later), HasError(ErrorCode::kConflict));
  ASSERT_OK_AND_ASSIGN(auto advanced,
                       journal_->CloneActionWithEvents(actor_, later, CloneMode::kAdvance));
  EXPECT_TRUE(advanced.advanced);
  EXPECT_EQ(advanced.events_created, 1);   // compute_cleanup
  EXPECT_EQ(advanced.events_advanced, 1);  // compute_resize_instance finished
  EXPECT_EQ(advanced.record.action.id, first.record.action.id);
  EXPECT_EQ(advanced.record.action.finish_time, T(5));
  EXPECT_EQ(advanced.record.action.message, std::optional<std::string>("Error"));
  EXPECT_EQ(advanced.record.action.updated_at, T(5));
  EXPECT_EQ(advanced.record.action.version, first.record.action.version + 1);
  ASSERT_EQ(advanced.record.events.size(), 2U);
  ASSERT_OK_AND_ASSIGN(auto stored, journal_->GetAction(kInstance, "req-adv"));
  ASSERT_EQ(stored.events.size(), 2U);
  const Event& failed =
      stored.events[0].event == "compute_resize_instance" ? stored.events[0] : stored.events[1];
  EXPECT_EQ(failed.result, std::optional<std::string>("Error"));
  EXPECT_EQ(failed.details, std::optional<std::string>("boom"));
  EXPECT_EQ(failed.finish_time, T(3));

  // The same again is a no-op.
  ASSERT_OK_AND_ASSIGN(auto again,
                       journal_->CloneActionWithEvents(actor_, later, CloneMode::kAdvance));
  EXPECT_FALSE(again.created);
  EXPECT_FALSE(again.advanced);
  EXPECT_EQ(again.events_created + again.events_advanced, 0);

  // Not progress: another name, a finish that moves, an earlier updated_at, a finished event
  // that finished differently, an Error message that goes away. Each changes nothing.
  const auto refused = [&](const std::function<void(ActionWithEvents&)>& edit) {
    ActionWithEvents other = later;
    edit(other);
    return journal_->CloneActionWithEvents(actor_, other, CloneMode::kAdvance);
  };
  EXPECT_THAT(refused([](ActionWithEvents& r) { r.action.action = "migrate"; }),
              HasError(ErrorCode::kConflict));
  EXPECT_THAT(refused([](ActionWithEvents& r) { r.action.finish_time = T(6); }),
              HasError(ErrorCode::kConflict));
  EXPECT_THAT(refused([](ActionWithEvents& r) { r.action.updated_at = T(4); }),
              HasError(ErrorCode::kConflict));
  EXPECT_THAT(refused([](ActionWithEvents& r) {
                r.events[0].details = "another";
                r.events[0].updated_at = T(6);
              }),
              HasError(ErrorCode::kConflict));
  EXPECT_THAT(refused([](ActionWithEvents& r) {
                r.action.message.reset();
                r.events[0].result = "Success";
                r.events[0].traceback.reset();
              }),
              HasError(ErrorCode::kConflict));
  ASSERT_OK_AND_ASSIGN(auto unchanged, journal_->GetAction(kInstance, "req-adv"));
  EXPECT_EQ(unchanged.action.version, advanced.record.action.version);

  // Instances: host, name and deletion may change; the owning project may not, and a deleted
  // instance does not come back.
  Instance moved;
  moved.uuid = kOtherInstance;
  moved.project_id = "proj-a";
  moved.host = "host1";
  moved.updated_at = T(1);
  ASSERT_THAT(journal_->CloneInstance(actor_, moved), IsOk());
  moved.host = "host2";
  moved.updated_at = T(2);
  EXPECT_THAT(journal_->CloneInstance(actor_, moved), HasError(ErrorCode::kConflict));
  ASSERT_OK_AND_ASSIGN(auto inst, journal_->CloneInstance(actor_, moved, CloneMode::kAdvance));
  EXPECT_TRUE(inst.advanced);
  EXPECT_EQ(inst.record.host, std::optional<std::string>("host2"));
  Instance other_project = moved;
  other_project.project_id = "proj-b";
  EXPECT_THAT(journal_->CloneInstance(actor_, other_project, CloneMode::kAdvance),
              HasError(ErrorCode::kConflict));
  Instance deleted = moved;
  deleted.deleted = 1;
  deleted.deleted_at = T(3);
  deleted.updated_at = T(3);
  ASSERT_THAT(journal_->CloneInstance(actor_, deleted, CloneMode::kAdvance), IsOk());
  EXPECT_THAT(journal_->CloneInstance(actor_, moved, CloneMode::kAdvance),
              HasError(ErrorCode::kConflict));
  ExpectVerified();
}

TEST_P(ConformanceTest, CloneRefusesInvalidRecords) {
  Action a;
  a.instance_uuid = kOtherInstance;  // unknown instance
  a.request_id = "req-x";
  a.action = "stop";
  a.start_time = T(0);
  EXPECT_THAT(journal_->CloneAction(actor_, a), HasError(ErrorCode::kNotFound));
  a.instance_uuid = kInstance;
  Action no_name = a;
  no_name.action.reset();
  EXPECT_THAT(journal_->CloneAction(actor_, no_name), HasError(ErrorCode::kInvalidArgument));
  Action backwards = a;
  backwards.finish_time = T(-5);
  EXPECT_THAT(journal_->CloneAction(actor_, backwards), HasError(ErrorCode::kInvalidArgument));

  Event e;
  e.event = "compute_stop_instance";
  e.start_time = T(1);
  e.result = "Success";  // a result without a finish time
  EXPECT_THAT(journal_->CloneEvent(actor_, kInstance, "req-x", e),
              HasError(ErrorCode::kInvalidArgument));
  e.finish_time = T(2);
  EXPECT_THAT(journal_->CloneEvent(actor_, kInstance, "req-missing", e),
              HasError(ErrorCode::kNotFound));  // parent action does not exist

  ASSERT_THAT(journal_->CloneAction(actor_, a), IsOk());
  Event failed = e;
  failed.result = "Error";  // but the action is not marked failed: inconsistent
  EXPECT_THAT(journal_->CloneEvent(actor_, kInstance, "req-x", failed),
              HasError(ErrorCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto got, journal_->GetAction(kInstance, "req-x"));
  EXPECT_TRUE(got.events.empty());
  EXPECT_FALSE(got.action.message.has_value());
  EXPECT_THAT(journal_->CloneEvent(actor_, kInstance, "req-x", e), IsOk());
}

TEST_P(ConformanceTest, CloneIntoDeletedInstanceAfterDeletionIsRefused) {
  ASSERT_OK_AND_ASSIGN(const Instance deleted, journal_->DeleteInstance(actor_, kInstance));
  Action a;
  a.instance_uuid = kInstance;
  a.request_id = "req-late";
  a.action = "reboot";
  a.start_time = Timestamp{deleted.deleted_at->micros + kSecond};
  EXPECT_THAT(journal_->CloneAction(actor_, a), HasError(ErrorCode::kInvalidArgument));
}

TEST_P(ConformanceTest, ClonePreservesIdsAndTimes) {
  Action a;
  a.id = 4242;
  a.instance_uuid = kInstance;
  a.request_id = "req-id";
  a.action = "stop";
  a.start_time = T(0);
  a.created_at = T(1);
  a.updated_at = T(3);
  ASSERT_OK_AND_ASSIGN(auto w, journal_->CloneAction(actor_, a));
  EXPECT_EQ(w.record.id, 4242);
  ASSERT_OK_AND_ASSIGN(auto got, journal_->GetAction(kInstance, "req-id"));
  EXPECT_EQ(got.action.id, 4242);
  EXPECT_EQ(got.action.created_at, T(1));
  EXPECT_EQ(got.action.updated_at, T(3));
  // A later, ordinary action gets a fresh id that does not collide.
  const Action next = Start("req-next");
  EXPECT_NE(next.id, 4242);
}

// Rule 3: events need their parent; an open event name cannot start again; no fallback.
TEST_P(ConformanceTest, StartEventRequiresParentNoFallback) {
  Start("req-1");
  EXPECT_THAT(journal_->StartEvent(actor_, {kInstance, "req-unknown", "compute_x", {}, {}}),
              HasError(ErrorCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto action, journal_->GetAction(kInstance, "req-1"));
  EXPECT_TRUE(action.events.empty());  // nothing attached to the newest action
}

TEST_P(ConformanceTest, OpenEventNameCannotStartTwice) {
  Start("req-1");
  StartEv("req-1", "compute_reboot_instance");
  EXPECT_THAT(
      journal_->StartEvent(actor_, {kInstance, "req-1", "compute_reboot_instance", "c2", {}}),
      HasError(ErrorCode::kConflict));
  ASSERT_THAT(Finish("req-1", "compute_reboot_instance", "Success"), IsOk());
  // Once finished, the step may run again (a retry) as a new event.
  StartEv("req-1", "compute_reboot_instance");
  ASSERT_OK_AND_ASSIGN(auto got, journal_->GetAction(kInstance, "req-1"));
  EXPECT_EQ(got.events.size(), 2U);
  // The finish goes to the open one, not the first one (Nova's W3).
  ASSERT_THAT(Finish("req-1", "compute_reboot_instance", "Success"), IsOk());
  ASSERT_OK_AND_ASSIGN(got, journal_->GetAction(kInstance, "req-1"));
  for (const Event& e : got.events) {
    EXPECT_EQ(e.result, "Success");
  }
}

TEST_P(ConformanceTest, StartEventReplayWithSameStartTimeIsIdempotent) {
  Start("req-1");
  const Event e = StartEv("req-1", "compute_x", T(5));
  auto again = journal_->StartEvent(actor_, {kInstance, "req-1", "compute_x", "compute1", T(5)});
  ASSERT_THAT(again, IsOk());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->record.id, e.id);
}

TEST_P(ConformanceTest, NoEventOnFinishedAction) {
  Start("req-1");
  ASSERT_THAT(journal_->FinishAction(actor_, {kInstance, "req-1", {}, {}}), IsOk());
  EXPECT_THAT(journal_->StartEvent(actor_, {kInstance, "req-1", "late", {}, {}}),
              HasError(ErrorCode::kFailedPrecondition));
}

// Rule 4: validation of every field.
TEST_P(ConformanceTest, InvalidFieldsAreRejected) {
  EXPECT_THAT(journal_->StartAction(actor_, {"not-a-uuid", "r", "a", "u", "p", {}}),
              HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(journal_->StartAction(actor_, {kInstance, std::string(256, 'r'), "a", "u", "p", {}}),
              HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(journal_->StartAction(actor_, {kInstance, "r", "\xFF\xFE", "u", "p", {}}),
              HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(journal_->StartAction(actor_, {kInstance, "", "a", "u", "p", {}}),
              HasError(ErrorCode::kInvalidArgument));
  Start("req-1");
  StartEv("req-1", "ev");
  EXPECT_THAT(Finish("req-1", "ev", "Failed"), HasError(ErrorCode::kInvalidArgument));
  FinishEventSpec huge{kInstance, "req-1", "ev", "Error", {}, std::string(70000, 't'), {}, {}};
  EXPECT_THAT(journal_->FinishEvent(actor_, huge), HasError(ErrorCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto got, journal_->GetAction(kInstance, "req-1"));
  EXPECT_FALSE(got.events.at(0).IsFinished());  // nothing changed by the rejected finishes
}

TEST_P(ConformanceTest, DetailsAreTruncatedOnUtf8Boundary) {
  Start("req-1");
  StartEv("req-1", "ev");
  std::string long_details;
  for (int i = 0; i < 300; ++i) {
    long_details += "\xC3\xA9";
  }
  ASSERT_OK_AND_ASSIGN(auto w, Finish("req-1", "ev", "Error", long_details));
  ASSERT_TRUE(w.record.details.has_value());
  EXPECT_EQ(w.record.details->size(), 254U);
}

// Rule 5: finishing an event updates its action atomically; updated_at only moves forward.
TEST_P(ConformanceTest, FailedEventMarksActionError) {
  Start("req-1", "resize", T(0));
  StartEv("req-1", "compute_resize_instance", T(1));
  FinishEventSpec spec{
      kInstance, "req-1", "compute_resize_instance", "Error", "HypervisorError", "Traceback...",
      T(2),      {}};
  ASSERT_THAT(journal_->FinishEvent(actor_, spec), IsOk());
  ASSERT_OK_AND_ASSIGN(auto got, journal_->GetAction(kInstance, "req-1"));
  EXPECT_EQ(got.action.message, "Error");
  EXPECT_EQ(got.action.updated_at, T(2));
  EXPECT_EQ(got.events.at(0).details, "HypervisorError");
  EXPECT_EQ(got.events.at(0).traceback, "Traceback...");
  ExpectVerified();
}

TEST_P(ConformanceTest, UpdatedAtNeverMovesBack) {
  Start("req-1", "resize", T(0));
  StartEv("req-1", "source", T(1));
  StartEv("req-1", "dest", T(10));
  ASSERT_THAT(Finish("req-1", "source", "Success", {}, T(5)), IsOk());
  ASSERT_OK_AND_ASSIGN(auto got, journal_->GetAction(kInstance, "req-1"));
  EXPECT_EQ(got.action.updated_at, T(10));
  ASSERT_THAT(Finish("req-1", "dest", "Success", {}, T(12)), IsOk());
  ASSERT_OK_AND_ASSIGN(got, journal_->GetAction(kInstance, "req-1"));
  EXPECT_EQ(got.action.updated_at, T(12));
  EXPECT_FALSE(got.action.message.has_value());
}

// Rule 6: finishing twice.
TEST_P(ConformanceTest, FinishTwiceSameOutcomeIdempotentDifferentConflict) {
  Start("req-1");
  StartEv("req-1", "ev");
  ASSERT_OK_AND_ASSIGN(auto first, Finish("req-1", "ev", "Success"));
  EXPECT_TRUE(first.created);
  ASSERT_OK_AND_ASSIGN(auto again, Finish("req-1", "ev", "Success"));
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.record, first.record);
  EXPECT_THAT(Finish("req-1", "ev", "Error", "boom"), HasError(ErrorCode::kConflict));
  ASSERT_OK_AND_ASSIGN(auto got, journal_->GetAction(kInstance, "req-1"));
  EXPECT_EQ(got.events.at(0).result, "Success");
  EXPECT_FALSE(got.events.at(0).details.has_value());
  EXPECT_FALSE(got.action.message.has_value());
}

TEST_P(ConformanceTest, FinishActionTwiceAndMissing) {
  Start("req-1", "resetState", T(0));
  ASSERT_OK_AND_ASSIGN(auto f, journal_->FinishAction(actor_, {kInstance, "req-1", T(3), {}}));
  EXPECT_TRUE(f.created);
  EXPECT_EQ(f.record.finish_time, T(3));
  EXPECT_EQ(f.record.updated_at, T(3));
  ASSERT_OK_AND_ASSIGN(auto again, journal_->FinishAction(actor_, {kInstance, "req-1", T(3), {}}));
  EXPECT_FALSE(again.created);
  EXPECT_THAT(journal_->FinishAction(actor_, {kInstance, "req-1", T(4), {}}),
              HasError(ErrorCode::kConflict));
  EXPECT_THAT(journal_->FinishAction(actor_, {kInstance, "req-none", {}, {}}),
              HasError(ErrorCode::kNotFound));
  EXPECT_THAT(Finish("req-1", "never-started", "Success"), HasError(ErrorCode::kNotFound));
  EXPECT_THAT(Finish("req-none", "ev", "Success"), HasError(ErrorCode::kNotFound));
}

// Rule 7: optimistic concurrency through row versions.
TEST_P(ConformanceTest, StaleVersionIsConflict) {
  const Action a = Start("req-1");
  StartEv("req-1", "ev");  // moves the action to a newer version
  EXPECT_THAT(journal_->FinishAction(actor_, {kInstance, "req-1", {}, a.version}),
              HasError(ErrorCode::kConflict));
  ASSERT_OK_AND_ASSIGN(auto current, journal_->GetAction(kInstance, "req-1"));
  EXPECT_GT(current.action.version, a.version);
  EXPECT_THAT(journal_->FinishAction(actor_, {kInstance, "req-1", {}, current.action.version}),
              IsOk());

  ASSERT_OK_AND_ASSIGN(const Instance inst, journal_->GetInstance(kInstance));
  InstanceSpec update{kInstance, "proj-a", {}, "host2", {}, inst.version};
  ASSERT_THAT(journal_->PutInstance(actor_, update), IsOk());
  update.host = "host3";  // same, now stale, version
  EXPECT_THAT(journal_->PutInstance(actor_, update), HasError(ErrorCode::kConflict));
  ASSERT_OK_AND_ASSIGN(const Instance after, journal_->GetInstance(kInstance));
  EXPECT_EQ(after.host, "host2");
}

TEST_P(ConformanceTest, InstanceOwningProjectCannotChange) {
  EXPECT_THAT(journal_->PutInstance(actor_, {kInstance, "proj-b", {}, {}, {}, {}}),
              HasError(ErrorCode::kConflict));
  ASSERT_OK_AND_ASSIGN(auto same,
                       journal_->PutInstance(actor_, {kInstance, "proj-a", {}, {}, {}, {}}));
  EXPECT_FALSE(same.created);
}

// Reads: Nova's ordering, exclusive markers, inclusive time filters.
TEST_P(ConformanceTest, ListOrderMarkerAndFilters) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back("req-" + std::to_string(i));
    Start(ids.back(), "reboot", T(i));
  }
  ASSERT_OK_AND_ASSIGN(auto all, journal_->ListActions({kInstance, {}, {}, {}, {}}));
  ASSERT_EQ(all.size(), 5U);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].request_id, ids[4 - i]);  // newest first
  }
  ASSERT_OK_AND_ASSIGN(auto page, journal_->ListActions({kInstance, 2, "req-3", {}, {}}));
  ASSERT_EQ(page.size(), 2U);
  EXPECT_EQ(page[0].request_id, "req-2");
  EXPECT_EQ(page[1].request_id, "req-1");
  ASSERT_OK_AND_ASSIGN(auto window, journal_->ListActions({kInstance, {}, {}, T(1), T(3)}));
  ASSERT_EQ(window.size(), 3U);  // updated_at = start_time: 1, 2, 3 inclusive
  EXPECT_EQ(window.front().request_id, "req-3");
  EXPECT_EQ(window.back().request_id, "req-1");
  ASSERT_OK_AND_ASSIGN(auto none, journal_->ListActions({kInstance, 0, {}, {}, {}}));
  EXPECT_TRUE(none.empty());
  EXPECT_THAT(journal_->ListActions({kInstance, {}, "req-nope", {}, {}}),
              HasError(ErrorCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto after_oldest, journal_->ListActions({kInstance, {}, "req-0", {}, {}}));
  EXPECT_TRUE(after_oldest.empty());
}

TEST_P(ConformanceTest, EventsNewestFirst) {
  Start("req-1");
  StartEv("req-1", "first");
  StartEv("req-1", "second");
  StartEv("req-1", "third");
  ASSERT_OK_AND_ASSIGN(auto events, journal_->ListEvents(kInstance, "req-1"));
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0].event, "third");
  EXPECT_EQ(events[2].event, "first");
}

TEST_P(ConformanceTest, DeletedInstanceKeepsItsActions) {
  Start("req-1");
  ASSERT_OK_AND_ASSIGN(const Instance deleted, journal_->DeleteInstance(actor_, kInstance));
  EXPECT_TRUE(deleted.IsDeleted());
  EXPECT_EQ(deleted.deleted, deleted.id);
  ASSERT_OK_AND_ASSIGN(auto got, journal_->GetAction(kInstance, "req-1"));
  EXPECT_EQ(got.action.request_id, "req-1");
  EXPECT_THAT(journal_->PutInstance(actor_, {kInstance, "proj-a", {}, {}, {}, {}}),
              HasError(ErrorCode::kConflict));
}

// Rule 6 under concurrency: many threads finish one event with equal and different outcomes.
TEST_P(ConformanceTest, RacingFinishesExactlyOneOutcomeWins) {
  constexpr int kRounds = 5;
  constexpr int kThreads = 8;
  for (int round = 0; round < kRounds; ++round) {
    const std::string rid = "req-race-" + std::to_string(round);
    Start(rid);
    StartEv(rid, "ev");
    std::atomic<int> created{0};
    std::atomic<int> replays{0};
    std::atomic<int> conflicts{0};
    std::atomic<int> other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        const bool error = t % 2 == 1;
        auto r = Finish(rid, "ev", error ? "Error" : "Success",
                        error ? std::optional<std::string>("boom") : std::nullopt);
        if (r && r->created) {
          ++created;
        } else if (r) {
          ++replays;
        } else if (r.error().code == ErrorCode::kConflict) {
          ++conflicts;
        } else {
          ++other;
        }
      });
    }
    for (auto& th : threads) {
      th.join();
    }
    EXPECT_EQ(created.load(), 1);
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(replays.load() + conflicts.load(), kThreads - 1);
    EXPECT_EQ(conflicts.load(), kThreads / 2);  // the other outcome's finishers all lose
    ASSERT_OK_AND_ASSIGN(auto got, journal_->GetAction(kInstance, rid));
    const bool error_won = got.events.at(0).result == "Error";
    EXPECT_EQ(got.action.message.has_value(), error_won);
    EXPECT_EQ(got.events.at(0).details.has_value(), error_won);
  }
  ExpectVerified();
}

// Rule 8: concurrent writers share commits; one failing operation never affects another.
TEST_P(ConformanceTest, ConcurrentWritersAllDurable) {
  constexpr int kThreads = 8;
  constexpr int kActionsPerThread = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kActionsPerThread; ++i) {
        const std::string rid = "req-" + std::to_string(t) + "-" + std::to_string(i);
        if (!journal_->StartAction(actor_, {kInstance, rid, "reboot", "u", "p", {}})) {
          ++failures;
        }
        if (!journal_->StartEvent(actor_, {kInstance, rid, "ev", {}, {}})) {
          ++failures;
        }
        // A doomed operation interleaved with the good ones: it must fail alone.
        if (journal_->StartEvent(actor_, {kInstance, rid, "ev", {}, {}})) {
          ++failures;
        }
        if (!Finish(rid, "ev", i % 10 == 0 ? "Error" : "Success")) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
  if (db_.persistent) {
    Reopen();  // everything acknowledged is still there after closing and reopening
  }
  ASSERT_OK_AND_ASSIGN(auto all, journal_->ListActions({kInstance, {}, {}, {}, {}}));
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kActionsPerThread));
  std::set<std::string> unique;
  for (const Action& a : all) {
    unique.insert(a.request_id);
    EXPECT_EQ(a.message.has_value(), a.request_id.ends_with("-0") || a.request_id.ends_with("-10"))
        << a.request_id;
  }
  EXPECT_EQ(unique.size(), all.size());
  ExpectVerified();
}

// Rule 9: verify walks the chain and the rows.
TEST_P(ConformanceTest, VerifyPassesAndCountsEverything) {
  Start("req-1");
  StartEv("req-1", "ev");
  ASSERT_THAT(Finish("req-1", "ev", "Error", "x"), IsOk());
  ASSERT_OK_AND_ASSIGN(auto report, journal_->Verify());
  EXPECT_TRUE(report.ok) << report.problem;
  // instance create, action start, event start, event finish: the event's entries also record
  // the action they changed (its updated_at, then the Error message).
  EXPECT_EQ(report.entries_checked, 4);
  EXPECT_EQ(report.rows_checked, 3);
}

TEST_P(ConformanceTest, VerifyDetectsTampering) {
  Start("req-1");
  StartEv("req-1", "ev");
  ASSERT_THAT(Finish("req-1", "ev", "Success"), IsOk());
  ExpectVerified();
  const std::vector<std::string> edits = {
      "UPDATE instance_actions SET message = 'Error'",
      "UPDATE instance_actions_events SET result = 'Error'",
      "UPDATE change_log SET actor_user = 'mallory' WHERE seq = 2",
      // The event entries record the action's images (seq 3: the start moved updated_at, seq 4:
      // the finish did): dropping one is caught by the hash, and the action rolled back to the
      // earlier recorded image is caught because only the newest one counts.
      "UPDATE change_log SET parent_row = '' WHERE seq = 4",
      "UPDATE instance_actions SET updated_at = (SELECT start_time FROM instance_actions_events),"
      " version = 2",
      "DELETE FROM change_log WHERE seq = 3",
      "DELETE FROM instance_actions_events",
      "INSERT INTO instance_actions (created_at, action, instance_uuid, request_id, deleted, "
      "version) VALUES ('2020-01-01 00:00:00.000000', 'x', '0a26c298-bdc6-4a1d-8ae4-5bedd52e1414',"
      " 'req-forged', 0, 1)",
  };
  for (const std::string& sql : edits) {
    SCOPED_TRACE(sql);
    journal_.reset();
    auto snapshot = testing::SnapshotDatabase(db_);
    if (!snapshot) {
      GTEST_SKIP() << "this backend cannot be edited behind the store's back in tests";
    }
    ASSERT_THAT(testing::ExecuteBehindTheBack(db_, sql), IsOk());
    Reopen();
    ASSERT_OK_AND_ASSIGN(auto report, journal_->Verify());
    EXPECT_FALSE(report.ok);
    EXPECT_FALSE(report.problem.empty());
    journal_.reset();
    ASSERT_THAT(testing::RestoreDatabase(db_, *snapshot), IsOk());
    Reopen();
    ExpectVerified();
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ConformanceTest, ::testing::ValuesIn(testing::AllBackends()),
                         [](const auto& param_info) {
                           return testing::BackendName(param_info.param);
                         });

}  // namespace
}  // namespace actionlog
