// End-to-end tests of `actionlog import --from-nova` on the golden Nova database.
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_test_util.hpp"

namespace actionlog::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Rows that break the journal's rules, added to a copy of the golden database:
//   action 1001 reuses action 1's request id on the same instance (conflict), with event 2001;
//   event 2002 belongs to no action; action 1002 is valid but its event 2003 finishes before it
//   starts; action 1003 has a failed event 2004 but no Error message (inconsistent).
constexpr const char* kPlantedRows = R"sql(
INSERT INTO instance_actions (created_at, updated_at, id, action, instance_uuid, request_id,
  user_id, project_id, start_time, deleted)
SELECT '2026-11-24 04:00:00.000000', '2026-11-24 04:00:01.000000', 1001, 'rebuild',
  instance_uuid, request_id, user_id, project_id, '2026-11-24 04:00:00.000000', 0
FROM instance_actions WHERE id = 1;
INSERT INTO instance_actions_events (created_at, updated_at, id, event, action_id, start_time,
  finish_time, result, deleted, host)
VALUES ('2026-11-24 04:00:00.500000', '2026-11-24 04:00:01.000000', 2001, 'compute_rebuild',
  1001, '2026-11-24 04:00:00.500000', '2026-11-24 04:00:01.000000', 'Success', 0, 'compute1');
INSERT INTO instance_actions_events (created_at, id, event, action_id, start_time, deleted)
VALUES ('2026-11-24 04:00:00.000000', 2002, 'compute_orphan', 9999,
  '2026-11-24 04:00:00.000000', 0);
INSERT INTO instance_actions (created_at, updated_at, id, action, instance_uuid, request_id,
  user_id, project_id, start_time, deleted)
SELECT '2026-11-24 05:00:00.000000', '2026-11-24 05:00:00.000000', 1002, 'stop',
  instance_uuid, 'req-planted-1002', user_id, project_id, '2026-11-24 05:00:00.000000', 0
FROM instance_actions WHERE id = 1;
INSERT INTO instance_actions_events (created_at, updated_at, id, event, action_id, start_time,
  finish_time, result, deleted, host)
VALUES ('2026-11-24 05:00:00.100000', '2026-11-24 05:00:00.200000', 2003, 'compute_stop_instance',
  1002, '2026-11-24 05:00:00.100000', '2026-11-24 04:00:00.000000', 'Success', 0, 'compute1');
INSERT INTO instance_actions (created_at, updated_at, id, action, instance_uuid, request_id,
  user_id, project_id, start_time, finish_time, deleted)
SELECT '2026-11-24 06:00:00.000000', '2026-11-24 06:00:02.000000', 1003, 'pause',
  instance_uuid, 'req-planted-1003', user_id, project_id, '2026-11-24 06:00:00.000000',
  '2026-11-24 06:00:02.000000', 0
FROM instance_actions WHERE id = 1;
INSERT INTO instance_actions_events (created_at, updated_at, id, event, action_id, start_time,
  finish_time, result, traceback, deleted, host, details)
VALUES ('2026-11-24 06:00:00.100000', '2026-11-24 06:00:01.000000', 2004, 'compute_pause_instance',
  1003, '2026-11-24 06:00:00.100000', '2026-11-24 06:00:01.000000', 'Error', 'Traceback', 0,
  'compute1', 'boom');
)sql";

class ImportCliTest : public ::testing::Test {
 protected:
  void SetUp() override { CopyGoldenNovaDb(NovaPath()); }

  std::string NovaPath() const { return dir_.File("nova.sqlite"); }

  std::string NovaUrl() const { return "sqlite://" + NovaPath(); }

  std::string DbUrl() const { return "sqlite://" + dir_.File("journal.db"); }

  CommandResult Import(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"--db",   DbUrl(),       "-f",     "json",
                                     "import", "--from-nova", NovaUrl()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunActionlog(dir_, args);
  }

  static void ExpectCounts(const json::value& summary, const char* table, std::int64_t imported,
                           std::int64_t unchanged, std::int64_t rejected,
                           std::int64_t updated = 0) {
    SCOPED_TRACE(table);
    EXPECT_EQ(summary.at(table).at("imported"), imported);
    EXPECT_EQ(summary.at(table).at("unchanged"), unchanged);
    EXPECT_EQ(summary.at(table).at("rejected"), rejected);
    EXPECT_EQ(summary.at(table).at("updated"), updated);
  }

  TempDir dir_;
};

TEST_F(ImportCliTest, ImportsTheGoldenDatabaseOnce) {
  const std::string before = FileSha256(NovaPath());
  const CommandResult first = Import();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.err, "");
  const json::value summary = ParseJson(first.out);
  ExpectCounts(summary, "instances", 9, 0, 0);
  ExpectCounts(summary, "actions", 70, 0, 0);
  ExpectCounts(summary, "events", 96, 0, 0);

  const CommandResult second = Import({"--jobs", "1"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const json::value again = ParseJson(second.out);
  ExpectCounts(again, "instances", 0, 9, 0);
  ExpectCounts(again, "actions", 0, 70, 0);
  ExpectCounts(again, "events", 0, 96, 0);

  EXPECT_EQ(FileSha256(NovaPath()), before) << "the Nova database was modified";
  const std::string journal = dir_.File("journal.db");
  EXPECT_EQ(QuerySql(journal, "SELECT count(*) FROM instance_actions"), "70");
  EXPECT_EQ(QuerySql(journal, "SELECT count(*) FROM instance_actions_events"), "96");
  EXPECT_EQ(QuerySql(journal, "SELECT count(*) FROM instances"), "9");
}

TEST_F(ImportCliTest, PreservesIdsAndTimes) {
  ASSERT_EQ(Import().exit_code, 0);
  const std::string q =
      "SELECT group_concat(id || '|' || request_id || '|' || created_at || '|' || "
      "ifnull(finish_time, '') || '|' || ifnull(message, ''), ';') FROM "
      "(SELECT * FROM instance_actions ORDER BY id)";
  EXPECT_EQ(QuerySql(dir_.File("journal.db"), q), QuerySql(NovaPath(), q));
  const std::string qe =
      "SELECT group_concat(id || '|' || action_id || '|' || event || '|' || start_time || '|' || "
      "ifnull(result, '') || '|' || ifnull(details, '') || '|' || length(ifnull(traceback, '')), "
      "';') FROM (SELECT * FROM instance_actions_events ORDER BY id)";
  EXPECT_EQ(QuerySql(dir_.File("journal.db"), qe), QuerySql(NovaPath(), qe));
}

TEST_F(ImportCliTest, TableSummary) {
  const CommandResult r = RunActionlog(dir_, {"--db", DbUrl(), "import", "--from-nova", NovaUrl()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("TABLE                    IMPORTED  UPDATED  UNCHANGED  REJECTED\n"
                                "instances                9         0        0          0\n"
                                "instance_actions         70        0        0          0\n"
                                "instance_actions_events  96        0        0          0\n"));
}

// Nova kept recording after a first import: the second import brings the journal forward
// through the same transitions (an event finished, a new event, the action failed and finished,
// the instance moved), and refuses what is not progress.
TEST_F(ImportCliTest, ReimportBringsNovasProgressForward) {
  // The golden database as it was a moment earlier: instance 1 on another host, action 42
  // (resize) with event 54 not yet recorded and event 55 still open, so no Error yet.
  ExecSql(NovaPath(), R"sql(
UPDATE instances SET host = 'compute0', updated_at = '2026-11-24 03:36:50.000000' WHERE id = 1;
DELETE FROM instance_actions_events WHERE id = 54;
UPDATE instance_actions_events SET finish_time = NULL, result = NULL, traceback = NULL,
  details = NULL, updated_at = NULL WHERE id = 55;
UPDATE instance_actions SET message = NULL, updated_at = '2026-11-24 03:36:59.700000'
  WHERE id = 42;
)sql");
  const CommandResult first = Import();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ExpectCounts(ParseJson(first.out), "events", 95, 0, 0);

  // Now: the golden rows, and the action finished as well.
  CopyGoldenNovaDb(NovaPath());
  ExecSql(NovaPath(),
          "UPDATE instance_actions SET finish_time = '2026-11-24 03:37:00.000000', "
          "updated_at = '2026-11-24 03:37:00.000000' WHERE id = 42");
  const CommandResult second = Import({"--jobs", "1"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const json::value summary = ParseJson(second.out);
  ExpectCounts(summary, "instances", 0, 8, 0, 1);
  ExpectCounts(summary, "actions", 0, 69, 0, 1);
  ExpectCounts(summary, "events", 1, 94, 0, 1);  // 54 is new, 55 finished

  const std::string journal = dir_.File("journal.db");
  for (const char* q :
       {"SELECT group_concat(id || '|' || ifnull(finish_time, '') || '|' || ifnull(message, '') "
        "|| '|' || updated_at, ';') FROM (SELECT * FROM instance_actions ORDER BY id)",
        "SELECT group_concat(id || '|' || ifnull(finish_time, '') || '|' || ifnull(result, '') || "
        "'|' || length(ifnull(traceback, '')) || '|' || ifnull(details, '') || '|' || "
        "ifnull(updated_at, ''), ';') FROM (SELECT * FROM instance_actions_events ORDER BY id)",
        "SELECT group_concat(id || '|' || host || '|' || updated_at, ';') FROM "
        "(SELECT * FROM instances ORDER BY id)"}) {
    EXPECT_EQ(QuerySql(journal, q), QuerySql(NovaPath(), q)) << q;
  }
  EXPECT_EQ(QuerySql(journal,
                     "SELECT group_concat(operation || ' ' || n, ', ') FROM (SELECT operation, "
                     "count(*) AS n FROM change_log WHERE seq > (SELECT max(seq) FROM change_log) "
                     "- 4 GROUP BY operation ORDER BY operation)"),
            "action.advance 1, event.advance 1, event.clone 1, instance.advance 1");
  const CommandResult verify = RunActionlog(dir_, {"--db", DbUrl(), "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  const CommandResult third = Import();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  ExpectCounts(ParseJson(third.out), "actions", 0, 70, 0);

  // A finished event that Nova now shows finished differently is not progress.
  ExecSql(NovaPath(),
          "UPDATE instance_actions_events SET result = 'Error', traceback = 'x' WHERE id = 52");
  const CommandResult fourth = Import();
  EXPECT_EQ(fourth.exit_code, 4) << fourth.err;
  EXPECT_THAT(fourth.err, HasSubstr("not an earlier state"));
  EXPECT_EQ(QuerySql(journal, "SELECT result FROM instance_actions_events WHERE id = 52"),
            "Success");
}

TEST_F(ImportCliTest, ReportsAndCountsBadRows) {
  ExecSql(NovaPath(), kPlantedRows);
  const CommandResult r = Import();
  EXPECT_EQ(r.exit_code, 4) << r.err;
  const json::value summary = ParseJson(r.out);
  ExpectCounts(summary, "instances", 9, 0, 0);
  ExpectCounts(summary, "actions", 70, 0, 3);
  ExpectCounts(summary, "events", 96, 0, 4);
  EXPECT_THAT(r.err, HasSubstr("rejected: instance_actions id=1001 (instance "
                               "0a26c298-bdc6-4a1d-8ae4-5bedd52e1414 request "
                               "req-0ac9cfa5-b446-4067-814b-173461fdb6a5): conflict: "));
  EXPECT_THAT(r.err, HasSubstr("rejected: instance_actions_events id=2001 (action 1001 event "
                               "compute_rebuild): conflict: its action 1001 was rejected: "));
  EXPECT_THAT(r.err, HasSubstr("rejected: instance_actions_events id=2002 (action 9999 event "
                               "compute_orphan): not_found: its action 9999 does not exist"));
  EXPECT_THAT(r.err, HasSubstr("rejected: instance_actions id=1002 (instance "
                               "0a26c298-bdc6-4a1d-8ae4-5bedd52e1414 request req-planted-1002): "
                               "invalid_argument: "));
  EXPECT_THAT(r.err, HasSubstr("rejected: instance_actions_events id=2003 (action 1002 event "
                               "compute_stop_instance): invalid_argument: its action 1002 was "
                               "rejected: "));
  EXPECT_THAT(r.err, HasSubstr("rejected: instance_actions id=1003 (instance "
                               "0a26c298-bdc6-4a1d-8ae4-5bedd52e1414 request req-planted-1003): "
                               "invalid_argument: "));
  EXPECT_THAT(r.err, HasSubstr("rejected: instance_actions_events id=2004 "));
  EXPECT_THAT(r.err, HasSubstr("actionlog: error: conflict: 7 Nova rows were rejected"));
  const std::string journal = dir_.File("journal.db");
  EXPECT_EQ(QuerySql(journal, "SELECT count(*) FROM instance_actions WHERE id > 1000"), "0");
  EXPECT_EQ(QuerySql(journal, "SELECT count(*) FROM instance_actions_events WHERE id > 2000"), "0");

  // A second run adds nothing and reports the same rows again.
  const CommandResult again = Import({"--jobs", "3"});
  EXPECT_EQ(again.exit_code, 4);
  const json::value second = ParseJson(again.out);
  ExpectCounts(second, "actions", 0, 70, 3);
  ExpectCounts(second, "events", 0, 96, 4);
}

TEST_F(ImportCliTest, InvalidRowsOnlyExitFive) {
  ExecSql(NovaPath(), "UPDATE instance_actions_events SET start_time = 'not a time' WHERE id = 1");
  const CommandResult r = Import();
  EXPECT_EQ(r.exit_code, 5) << r.err;
  ExpectCounts(ParseJson(r.out), "events", 95, 0, 1);
  EXPECT_THAT(r.err, HasSubstr("rejected: instance_actions_events id=1 "));
  EXPECT_THAT(r.err, HasSubstr("start_time 'not a time' is not a timestamp"));
}

TEST_F(ImportCliTest, VerifyPassesAfterImportAndFailsAfterTampering) {
  ASSERT_EQ(Import().exit_code, 0);
  const std::vector<std::string> verify = {"--db", DbUrl(), "verify"};
  const CommandResult ok = RunActionlog(dir_, verify);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  ExecSql(dir_.File("journal.db"), "UPDATE instance_actions SET message = 'x' WHERE id = 5");
  const CommandResult bad = RunActionlog(dir_, verify);
  EXPECT_EQ(bad.exit_code, 6);
  EXPECT_THAT(bad.err, StartsWith("actionlog: error: data_loss: "));
}

TEST_F(ImportCliTest, ReadOnlyNovaFile) {
  std::filesystem::permissions(NovaPath(), std::filesystem::perms::owner_read);
  const CommandResult r = Import();
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(ImportCliTest, SourceErrors) {
  CommandResult r = RunActionlog(dir_, {"--db", DbUrl(), "import", "--from-nova",
                                        "postgresql://nova@127.0.0.1:1/nova?connect_timeout=5"});
#ifdef ACTIONLOG_TEST_HAVE_PG
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_THAT(r.err, HasSubstr("cannot connect to the Nova database"));
#else
  EXPECT_EQ(r.exit_code, 8);
  EXPECT_THAT(r.err, HasSubstr("ACTIONLOG_WITH_POSTGRES"));
#endif
  r = RunActionlog(
      dir_, {"--db", DbUrl(), "import", "--from-nova", "sqlite://" + dir_.File("missing.sqlite")});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("missing.sqlite")));
  r = RunActionlog(dir_, {"--db", DbUrl(), "import", "--from-nova", "mysql://nova"});
  EXPECT_EQ(r.exit_code, 5);
  ExecSql(dir_.File("other.sqlite"), "CREATE TABLE t (x INTEGER)");
  r = RunActionlog(
      dir_, {"--db", DbUrl(), "import", "--from-nova", "sqlite://" + dir_.File("other.sqlite")});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_THAT(r.err, HasSubstr("not a Nova database"));
  EXPECT_EQ(RunActionlog(dir_, {"--db", DbUrl(), "import"}).exit_code, 2);
}

}  // namespace
}  // namespace actionlog::testing
