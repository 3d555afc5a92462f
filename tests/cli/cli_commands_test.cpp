// End-to-end tests of the `actionlog` commands: the real binary on a temporary database.
#include <filesystem>
#include <fstream>
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

constexpr const char* kUuid = "0a26c298-bdc6-4a1d-8ae4-5bedd52e1414";
constexpr const char* kOtherUuid = "ac3f2393-ec3c-4fa9-9725-f3e9c83d38f2";

class CliTest : public ::testing::Test {
 protected:
  std::string DbUrl() const { return "sqlite://" + dir_.File("journal.db"); }

  CommandResult Run(std::vector<std::string> args, const std::string& stdin_text = "") {
    std::vector<std::string> full = {"--db", DbUrl(), "--user", "alice", "--project", "proj-a"};
    full.insert(full.end(), args.begin(), args.end());
    return RunActionlog(dir_, full, stdin_text);
  }

  json::object RunJson(std::vector<std::string> args) {
    args.insert(args.begin(), {"-f", "json"});
    const CommandResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const json::value v = ParseJson(r.out);
    return v.is_object() ? v.get_object() : json::object();
  }

  void StartRebootWithFailedEvent(const std::string& request_id) {
    ASSERT_EQ(Run({"instance", "put", kUuid, "--host", "compute1", "--name", "A1"}).exit_code, 0);
    ASSERT_EQ(Run({"action", "start", kUuid, request_id, "reboot"}).exit_code, 0);
    ASSERT_EQ(
        Run({"event", "start", kUuid, request_id, "compute_reboot_instance", "--host", "compute1"})
            .exit_code,
        0);
    std::ofstream(dir_.File("tb.txt")) << "Traceback (most recent call last):\n  boom\n";
    const CommandResult finish =
        Run({"event", "finish", kUuid, request_id, "compute_reboot_instance", "--result", "Error",
             "--details", "HypervisorError", "--traceback-file", dir_.File("tb.txt")});
    ASSERT_EQ(finish.exit_code, 0) << finish.err;
  }

  TempDir dir_;
};

TEST_F(CliTest, InstancePutShowDelete) {
  json::object put = RunJson({"instance", "put", kUuid, "--host", "compute1", "--name", "vm"});
  EXPECT_EQ(put.at("created"), true);
  EXPECT_EQ(put.at("instance").at("uuid"), kUuid);
  EXPECT_EQ(put.at("instance").at("project_id"), "proj-a");
  EXPECT_EQ(put.at("instance").at("user_id"), "alice");

  json::object again = RunJson({"instance", "put", kUuid, "--host", "compute1", "--name", "vm"});
  EXPECT_EQ(again.at("created"), false);

  json::object shown = RunJson({"instance", "show", kUuid});
  EXPECT_EQ(shown.at("instance").at("display_name"), "vm");
  EXPECT_EQ(shown.at("instance").at("deleted"), 0);
  EXPECT_FALSE(shown.contains("created"));

  json::object deleted = RunJson({"instance", "delete", kUuid});
  EXPECT_NE(deleted.at("instance").at("deleted"), 0);
  EXPECT_TRUE(deleted.at("instance").at("deleted_at").is_string());
  EXPECT_NE(RunJson({"instance", "show", kUuid}).at("instance").at("deleted"), 0);
}

TEST_F(CliTest, InstanceTableOutput) {
  const CommandResult r = Run({"instance", "put", kUuid, "--name", "vm"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("created\nFIELD"));
  EXPECT_THAT(r.out, HasSubstr("\nuuid          " + std::string(kUuid) + "\n"));
  EXPECT_THAT(r.out, HasSubstr("\nhost          -\n"));
}

TEST_F(CliTest, ActionAndEventLifecycle) {
  StartRebootWithFailedEvent("req-1");
  json::object finished = RunJson({"action", "finish", kUuid, "req-1"});
  EXPECT_TRUE(finished.at("action").at("finish_time").is_string());

  json::object shown = RunJson({"action", "show", kUuid, "req-1"});
  const json::object& action = shown.at("action").get_object();
  EXPECT_EQ(action.at("action"), "reboot");
  EXPECT_EQ(action.at("message"), "Error");
  EXPECT_EQ(action.at("user_id"), "alice");
  const std::string start(action.at("start_time").get_string());
  EXPECT_EQ(start.size(), 26U) << start;  // 2026-11-24T03:36:40.147990
  EXPECT_EQ(start[10], 'T');
  ASSERT_EQ(action.at("events").get_array().size(), 1U);
  const json::object& event = action.at("events").get_array()[0].get_object();
  EXPECT_EQ(event.at("result"), "Error");
  EXPECT_EQ(event.at("details"), "HypervisorError");
  EXPECT_EQ(event.at("traceback"), "Traceback (most recent call last):\n  boom\n");
  EXPECT_EQ(event.at("host"), "compute1");

  json::object events = RunJson({"event", "list", kUuid, "req-1"});
  EXPECT_EQ(events.at("events").get_array().size(), 1U);
}

TEST_F(CliTest, ActionShowTableListsEvents) {
  StartRebootWithFailedEvent("req-1");
  const CommandResult r = Run({"action", "show", kUuid, "req-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("request_id     req-1\n"));
  EXPECT_THAT(r.out, HasSubstr("\nevents:\nEVENT "));
  EXPECT_THAT(r.out, HasSubstr("compute_reboot_instance  "));
}

TEST_F(CliTest, ActionListPagesAndFilters) {
  ASSERT_EQ(Run({"instance", "put", kUuid}).exit_code, 0);
  for (int i = 1; i <= 3; ++i) {
    const std::string t = "2026-01-0" + std::to_string(i) + "T00:00:00";
    ASSERT_EQ(
        Run({"action", "start", kUuid, "req-" + std::to_string(i), "reboot", "--start-time", t})
            .exit_code,
        0);
  }
  const json::array all = RunJson({"action", "list", kUuid}).at("actions").get_array();
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].at("request_id"), "req-3");  // newest first

  const json::array page = RunJson({"action", "list", kUuid, "--limit", "1", "--marker", "req-3"})
                               .at("actions")
                               .get_array();
  ASSERT_EQ(page.size(), 1U);
  EXPECT_EQ(page[0].at("request_id"), "req-2");

  const std::string updated(all[1].at("updated_at").get_string());
  EXPECT_EQ(RunJson({"action", "list", kUuid, "--changes-since", updated})
                .at("actions")
                .get_array()
                .size(),
            2U);
  EXPECT_EQ(RunJson({"action", "list", kUuid, "--changes-before", updated})
                .at("actions")
                .get_array()
                .size(),
            2U);

  const CommandResult table = Run({"action", "list", kUuid});
  EXPECT_THAT(table.out, StartsWith("REQUEST_ID  ACTION  START_TIME "));
  EXPECT_THAT(table.out, HasSubstr("\nreq-3       reboot  2026-01-03T00:00:00.000000  "));
}

TEST_F(CliTest, NotFoundExitsThree) {
  CommandResult r = Run({"instance", "show", kOtherUuid});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, StartsWith("actionlog: error: not_found: "));
  ASSERT_EQ(Run({"instance", "put", kUuid}).exit_code, 0);
  EXPECT_EQ(Run({"action", "show", kUuid, "req-missing"}).exit_code, 3);
  EXPECT_EQ(Run({"action", "finish", kUuid, "req-missing"}).exit_code, 3);
  EXPECT_EQ(Run({"event", "finish", kUuid, "req-missing", "e", "--result", "Success"}).exit_code,
            3);
}

TEST_F(CliTest, ConflictExitsFour) {
  StartRebootWithFailedEvent("req-1");
  CommandResult r = Run({"action", "start", kUuid, "req-1", "rebuild"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.err, StartsWith("actionlog: error: conflict: "));
  r = Run({"event", "finish", kUuid, "req-1", "compute_reboot_instance", "--result", "Success"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  const CommandResult stale = Run({"instance", "put", kUuid, "--expected-version", "99"});
  EXPECT_EQ(stale.exit_code, 4) << stale.err;
}

TEST_F(CliTest, InvalidInputExitsFive) {
  CommandResult r = Run({"instance", "put", "not-a-uuid"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_THAT(r.err, StartsWith("actionlog: error: invalid_argument: "));
  ASSERT_EQ(Run({"instance", "put", kUuid}).exit_code, 0);
  EXPECT_EQ(
      Run({"action", "start", kUuid, "req-1", "reboot", "--start-time", "yesterday"}).exit_code, 5);
  ASSERT_EQ(Run({"action", "start", kUuid, "req-1", "reboot"}).exit_code, 0);
  ASSERT_EQ(Run({"event", "start", kUuid, "req-1", "e"}).exit_code, 0);
  EXPECT_EQ(Run({"event", "finish", kUuid, "req-1", "e", "--result", "Maybe"}).exit_code, 5);
  EXPECT_EQ(Run({"action", "list", kUuid, "--limit", "-1"}).exit_code, 5);
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Run({"no-such-command"}).exit_code, 2);
  EXPECT_EQ(Run({"instance", "show"}).exit_code, 2);
  EXPECT_EQ(Run({}).exit_code, 2);
  EXPECT_EQ(Run({"-f", "yaml", "instance", "show", kUuid}).exit_code, 2);
  EXPECT_EQ(Run({"event", "finish", kUuid, "r", "e", "--result", "Error", "--traceback", "x",
                 "--traceback-file", "y"})
                .exit_code,
            2);
  EXPECT_EQ(Run({"--help"}).exit_code, 0);
}

TEST_F(CliTest, CloneFromShowOutput) {
  StartRebootWithFailedEvent("req-1");
  ASSERT_EQ(Run({"action", "finish", kUuid, "req-1"}).exit_code, 0);
  const CommandResult shown = Run({"-f", "json", "action", "show", kUuid, "req-1"});
  ASSERT_EQ(shown.exit_code, 0);

  // Into a second journal that knows the instance.
  const std::string other = "sqlite://" + dir_.File("other.db");
  const auto run_other = [&](std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), {"--db", other, "--project", "proj-a", "-f", "json"});
    return RunActionlog(dir_, args, in);
  };
  ASSERT_EQ(run_other({"instance", "put", kUuid}).exit_code, 0);
  CommandResult cloned = run_other({"clone"}, shown.out);
  ASSERT_EQ(cloned.exit_code, 0) << cloned.err;
  EXPECT_EQ(ParseJson(cloned.out).at("created"), true);
  cloned = run_other({"clone", "-"}, shown.out);
  ASSERT_EQ(cloned.exit_code, 0) << cloned.err;
  EXPECT_EQ(ParseJson(cloned.out).at("created"), false);

  const json::value original = ParseJson(shown.out);
  const json::value copy = ParseJson(run_other({"action", "show", kUuid, "req-1"}).out);
  EXPECT_EQ(copy.at("action").at("start_time"), original.at("action").at("start_time"));
  EXPECT_EQ(copy.at("action").at("events").at(0).at("traceback"),
            original.at("action").at("events").at(0).at("traceback"));

  json::value changed = original;
  changed.at("action").as_object()["action"] = "rebuild";
  EXPECT_EQ(run_other({"clone"}, json::serialize(changed)).exit_code, 4);
  EXPECT_EQ(run_other({"clone"}, "{not json").exit_code, 5);
  std::ofstream(dir_.File("clone.json")) << shown.out;
  EXPECT_EQ(run_other({"clone", dir_.File("clone.json")}).exit_code, 0);
}

TEST_F(CliTest, VerifyPassesThenDetectsTampering) {
  StartRebootWithFailedEvent("req-1");
  json::object report = RunJson({"verify"});
  EXPECT_EQ(report.at("ok"), true);
  EXPECT_GT(report.at("entries_checked").as_int64(), 0);

  ExecSql(dir_.File("journal.db"), "UPDATE instance_actions SET message='x'");
  const CommandResult r = Run({"verify"});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_THAT(r.err, StartsWith("actionlog: error: data_loss: verify failed"));
  EXPECT_THAT(r.out, HasSubstr("FAILED"));
}

TEST_F(CliTest, DbUpgradeOnEmptyDatabase) {
  const json::object upgraded = RunJson({"db", "upgrade"});
  EXPECT_EQ(upgraded.at("old_version"), 0);
  EXPECT_GE(upgraded.at("new_version").as_int64(), 1);
  const json::object version = RunJson({"db", "version"});
  EXPECT_EQ(version.at("schema_version"), upgraded.at("new_version"));
  EXPECT_EQ(version.at("binary_schema_version"), upgraded.at("new_version"));
  EXPECT_EQ(version.at("backend"), "sqlite");
  const json::object again = RunJson({"db", "upgrade"});
  EXPECT_EQ(again.at("old_version"), upgraded.at("new_version"));

  // An existing, empty file (schema 0) is upgraded as well.
  std::ofstream(dir_.File("empty.db")).close();
  const CommandResult r =
      RunActionlog(dir_, {"--db", "sqlite://" + dir_.File("empty.db"), "db", "upgrade"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("schema version 0 -> "));
}

TEST_F(CliTest, NewerSchemaIsUnsupported) {
  ASSERT_EQ(Run({"db", "upgrade"}).exit_code, 0);
  ExecSql(dir_.File("journal.db"),
          "UPDATE actionlog_meta SET value = '999' WHERE key = 'schema_version'");
  const CommandResult r = Run({"instance", "show", kUuid});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_THAT(r.err, StartsWith("actionlog: error: unsupported: "));
  EXPECT_EQ(Run({"db", "upgrade"}).exit_code, 8);
}

TEST_F(CliTest, DatabaseFromEnvironmentAndDefault) {
  const std::string env_db = dir_.File("from-env.db");
  CommandResult r = RunActionlog(dir_, {"--project", "p", "instance", "put", kUuid}, "",
                                 {"ACTIONLOG_DB=sqlite://" + env_db});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(env_db));

  r = RunActionlog(dir_, {"--project", "p", "--relaxed-durability", "instance", "put", kUuid});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir_.File("actionlog.db")));
}

TEST_F(CliTest, ActorFromEnvironment) {
  const CommandResult r =
      RunActionlog(dir_, {"--db", DbUrl(), "-f", "json", "instance", "put", kUuid}, "",
                   {"OS_USER_ID=env-user", "OS_PROJECT_ID=env-project"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ParseJson(r.out).at("instance").at("project_id"), "env-project");
  EXPECT_EQ(ParseJson(r.out).at("instance").at("user_id"), "env-user");
}

}  // namespace
}  // namespace actionlog::testing
