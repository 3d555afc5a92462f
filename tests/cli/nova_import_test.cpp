// Unit tests of the Nova reader (NovaSource) and of ImportFromNova on an in-memory journal.
#include "import/nova_import.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "actionlog/core/journal.hpp"
#include "actionlog/store/open_store.hpp"
#include "cli/cli_test_util.hpp"
#include "import/nova_source.hpp"

namespace actionlog::testing {
namespace {

using import::ImportCounts;
using import::NovaSink;
using import::Rejection;

// Everything a source yields.
struct Collected {
  std::vector<Instance> instances;
  std::vector<ActionWithEvents> actions;
  std::vector<Rejection> rejections;
};

Collected ReadAll(import::NovaSource& source) {
  Collected c;
  const NovaSink sink{
      .on_instance =
          [&](Instance i) {
            c.instances.push_back(std::move(i));
            return OkStatus();
          },
      .on_action =
          [&](ActionWithEvents a) {
            c.actions.push_back(std::move(a));
            return OkStatus();
          },
      .on_reject = [&](const Rejection& r) { c.rejections.push_back(r); },
  };
  EXPECT_THAT(source.ReadInstances(sink), IsOk());
  EXPECT_THAT(source.ReadActions(sink), IsOk());
  return c;
}

std::unique_ptr<import::NovaSource> Open(const std::string& path) {
  auto source = import::OpenNovaSource("sqlite://" + path);
  EXPECT_THAT(source, IsOk());
  return source ? std::move(*source) : nullptr;
}

std::unique_ptr<Journal> MemoryJournal() {
  store::StoreOptions options;
  options.url = "sqlite://:memory:";
  auto store = store::OpenStore(options);
  EXPECT_THAT(store, IsOk());
  return std::make_unique<Journal>(std::shared_ptr<store::Store>(std::move(*store)));
}

TEST(NovaSourceTest, OpenErrors) {
  TempDir dir;
#ifdef ACTIONLOG_TEST_HAVE_PG
  const ErrorCode pg_code = ErrorCode::kUnavailable;
#else
  const ErrorCode pg_code = ErrorCode::kUnsupported;
#endif
  EXPECT_THAT(import::OpenNovaSource("postgresql://nova@127.0.0.1:1/nova?connect_timeout=5"),
              HasError(pg_code));
  EXPECT_THAT(import::OpenNovaSource("mysql://nova"), HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(import::OpenNovaSource("sqlite://"), HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(import::OpenNovaSource("sqlite://" + dir.File("missing.sqlite")),
              HasError(ErrorCode::kInvalidArgument));
  ExecSql(dir.File("empty.sqlite"), "CREATE TABLE instances (id INTEGER)");
  EXPECT_THAT(import::OpenNovaSource("sqlite://" + dir.File("empty.sqlite")),
              HasError(ErrorCode::kInvalidArgument));
}

TEST(NovaSourceTest, ReadsTheGoldenDatabase) {
  TempDir dir;
  CopyGoldenNovaDb(dir.File("nova.sqlite"));
  auto source = Open(dir.File("nova.sqlite"));
  ASSERT_NE(source, nullptr);
  const Collected c = ReadAll(*source);
  EXPECT_EQ(c.instances.size(), 9U);
  EXPECT_EQ(c.actions.size(), 70U);
  EXPECT_TRUE(c.rejections.empty());
  std::size_t events = 0;
  std::int64_t last_id = 0;
  for (const ActionWithEvents& a : c.actions) {
    EXPECT_GT(a.action.id, last_id);
    last_id = a.action.id;
    for (std::size_t i = 0; i < a.events.size(); ++i) {
      EXPECT_EQ(a.events[i].action_id, a.action.id);
      if (i > 0) {
        EXPECT_GE(a.events[i - 1].created_at, a.events[i].created_at);  // newest first
      }
    }
    events += a.events.size();
  }
  EXPECT_EQ(events, 96U);

  const Action& first = c.actions.front().action;
  EXPECT_EQ(first.id, 1);
  EXPECT_EQ(first.action, "create");
  EXPECT_EQ(first.instance_uuid, "0a26c298-bdc6-4a1d-8ae4-5bedd52e1414");
  EXPECT_EQ(first.request_id, "req-0ac9cfa5-b446-4067-814b-173461fdb6a5");
  EXPECT_EQ(FormatStorageTime(*first.created_at), "2026-11-24 03:36:40.147990");
  EXPECT_EQ(FormatStorageTime(*first.start_time), "2026-11-24 03:36:39.923286");
  EXPECT_FALSE(first.finish_time.has_value());
  EXPECT_FALSE(first.message.has_value());

  const Instance& deleted = c.instances[2];
  EXPECT_EQ(deleted.uuid, "13707f1a-ff13-461a-acc8-b8aabcb98493");
  EXPECT_EQ(deleted.deleted, 3);
  EXPECT_EQ(FormatStorageTime(*deleted.deleted_at), "2026-11-24 03:37:02.064870");
}

TEST(NovaSourceTest, RejectsRowsItCannotConvert) {
  TempDir dir;
  const std::string path = dir.File("nova.sqlite");
  CopyGoldenNovaDb(path);
  ExecSql(path,
          "INSERT INTO instance_actions_events (id, event, action_id) VALUES (900, 'a', NULL);"
          "INSERT INTO instance_actions_events (id, event, action_id) VALUES (901, 'b', 5000);"
          "UPDATE instance_actions SET request_id = NULL WHERE id = 2;"
          "UPDATE instance_actions SET created_at = '2026-13-45 99:00:00' WHERE id = 3;"
          "UPDATE instances SET created_at = 'garbage' WHERE id = 9;");
  auto source = Open(path);
  ASSERT_NE(source, nullptr);
  const Collected c = ReadAll(*source);
  EXPECT_EQ(c.instances.size(), 8U);
  EXPECT_EQ(c.actions.size(), 68U);
  std::map<std::pair<std::string, std::int64_t>, std::string> by_row;
  for (const Rejection& r : c.rejections) {
    by_row[{r.table, r.id}] = r.reason;
  }
  const auto reason = [&](const char* table, std::int64_t id) { return by_row[{table, id}]; };
  EXPECT_THAT(reason("instance_actions_events", 900), ::testing::HasSubstr("action_id is NULL"));
  EXPECT_THAT(reason("instance_actions_events", 901),
              ::testing::HasSubstr("its action 5000 does not exist"));
  EXPECT_THAT(reason("instance_actions", 2), ::testing::HasSubstr("request_id is NULL"));
  EXPECT_THAT(reason("instance_actions", 3), ::testing::HasSubstr("created_at"));
  EXPECT_THAT(reason("instances", 9), ::testing::HasSubstr("created_at 'garbage'"));
  // The events of rejected actions 2 and 3 are reported too.
  const std::size_t events_of_2_and_3 =
      std::stoul(QuerySql(path,
                          "SELECT count(*) FROM instance_actions_events "
                          "WHERE action_id IN (2, 3)"));
  EXPECT_EQ(c.rejections.size(), 5 + events_of_2_and_3);
}

TEST(NovaSourceTest, NeverWritesTheNovaFile) {
  TempDir dir;
  const std::string path = dir.File("nova.sqlite");
  CopyGoldenNovaDb(path);
  const std::string before = FileSha256(path);
  {
    auto source = Open(path);
    ASSERT_NE(source, nullptr);
    ReadAll(*source);
  }
  EXPECT_EQ(FileSha256(path), before);
  EXPECT_FALSE(std::filesystem::exists(path + "-journal"));
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST(NovaSourceTest, StopsWhenTheSinkFails) {
  TempDir dir;
  CopyGoldenNovaDb(dir.File("nova.sqlite"));
  auto source = Open(dir.File("nova.sqlite"));
  ASSERT_NE(source, nullptr);
  int calls = 0;
  const NovaSink sink{
      .on_instance = [](const Instance&) { return OkStatus(); },
      .on_action = [&](const ActionWithEvents&) -> Status {
        ++calls;
        return MakeError(ErrorCode::kUnavailable, "stop");
      },
      .on_reject = [](const Rejection&) {},
  };
  EXPECT_THAT(source->ReadActions(sink), HasError(ErrorCode::kUnavailable));
  EXPECT_EQ(calls, 1);
}

class ImportFromNovaTest : public ::testing::TestWithParam<int> {};

TEST_P(ImportFromNovaTest, CopiesEveryRecordExactly) {
  TempDir dir;
  CopyGoldenNovaDb(dir.File("nova.sqlite"));
  auto source = Open(dir.File("nova.sqlite"));
  ASSERT_NE(source, nullptr);
  auto journal = MemoryJournal();
  std::vector<Rejection> rejections;
  const import::ImportOptions options{
      .actor = {"admin", "admin-project", "nova-import"},
      .jobs = GetParam(),
      .on_reject = [&](const Rejection& r) { rejections.push_back(r); }};
  ASSERT_OK_AND_ASSIGN(import::ImportSummary summary,
                       import::ImportFromNova(*source, *journal, options));
  EXPECT_EQ(summary.instances, (ImportCounts{9, 0, 0}));
  EXPECT_EQ(summary.actions, (ImportCounts{70, 0, 0}));
  EXPECT_EQ(summary.events, (ImportCounts{96, 0, 0}));
  EXPECT_TRUE(rejections.empty());

  const Collected nova = ReadAll(*Open(dir.File("nova.sqlite")));
  for (const Instance& expected : nova.instances) {
    ASSERT_OK_AND_ASSIGN(Instance got, journal->GetInstance(expected.uuid));
    Instance want = expected;
    want.version = got.version;
    EXPECT_EQ(got, want) << expected.uuid;
  }
  for (const ActionWithEvents& expected : nova.actions) {
    ASSERT_OK_AND_ASSIGN(ActionWithEvents got, journal->GetAction(expected.action.instance_uuid,
                                                                  expected.action.request_id));
    ActionWithEvents want = expected;
    want.action.version = got.action.version;
    ASSERT_EQ(got.events.size(), want.events.size());
    for (std::size_t i = 0; i < want.events.size(); ++i) {
      want.events[i].version = got.events[i].version;
    }
    EXPECT_EQ(got, want) << expected.action.request_id;
  }

  ASSERT_OK_AND_ASSIGN(import::ImportSummary again,
                       import::ImportFromNova(*Open(dir.File("nova.sqlite")), *journal, options));
  EXPECT_EQ(again.instances, (ImportCounts{0, 9, 0}));
  EXPECT_EQ(again.actions, (ImportCounts{0, 70, 0}));
  EXPECT_EQ(again.events, (ImportCounts{0, 96, 0}));
  ASSERT_OK_AND_ASSIGN(VerifyReport report, journal->Verify());
  EXPECT_TRUE(report.ok) << report.problem;
}

INSTANTIATE_TEST_SUITE_P(Jobs, ImportFromNovaTest, ::testing::Values(1, 8));

}  // namespace
}  // namespace actionlog::testing
