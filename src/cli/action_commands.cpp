#include <cstdint>
#include <memory>
#include <string>

#include "cli_support.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace actionlog::cli {
namespace {

constexpr const char* kService = "actionlog-cli";

struct ActionArgs {
  std::string instance_uuid;
  std::string request_id;
  std::string action;
  std::string time;  // --start-time / --finish-time
  std::int64_t expected_version = 0;
  CLI::Option* version_opt = nullptr;
};

void AddIdentity(CLI::App& cmd, ActionArgs& args) {
  cmd.add_option("instance", args.instance_uuid, "Instance UUID")->required();
  cmd.add_option("request_id", args.request_id, "Request id (req-...)")->required();
}

Result<int> RunStart(const GlobalOptions& global, const ActionArgs& args) {
  StartActionSpec spec{.instance_uuid = args.instance_uuid,
                       .request_id = args.request_id,
                       .action = args.action,
                       .user_id = global.user_id,
                       .project_id = global.project_id,
                       .start_time = std::nullopt};
  ACTIONLOG_ASSIGN_OR_RETURN(spec.start_time, ParseTimeOption(args.time, "--start-time"));
  ACTIONLOG_ASSIGN_OR_RETURN(auto journal, OpenJournal(global));
  ACTIONLOG_ASSIGN_OR_RETURN(auto written, journal->StartAction(MakeActor(global, kService), spec));
  PrintAction(global, written.record, written.created);
  return kExitOk;
}

Result<int> RunFinish(const GlobalOptions& global, const ActionArgs& args) {
  FinishActionSpec spec{.instance_uuid = args.instance_uuid,
                        .request_id = args.request_id,
                        .finish_time = std::nullopt,
                        .expected_version = std::nullopt};
  ACTIONLOG_ASSIGN_OR_RETURN(spec.finish_time, ParseTimeOption(args.time, "--finish-time"));
  if (args.version_opt->count() > 0) {
    spec.expected_version = args.expected_version;
  }
  ACTIONLOG_ASSIGN_OR_RETURN(auto journal, OpenJournal(global));
  ACTIONLOG_ASSIGN_OR_RETURN(auto written,
                             journal->FinishAction(MakeActor(global, kService), spec));
  PrintAction(global, written.record, written.created);
  return kExitOk;
}

void AddStart(CLI::App& group, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<ActionArgs>();
  CLI::App* cmd = group.add_subcommand("start", "Start an action (idempotent for a replay)");
  AddIdentity(*cmd, *args);
  cmd->add_option("action", args->action, "Action name (create, reboot, ...)")->required();
  cmd->add_option("--start-time", args->time, "ISO 8601 start time (default: now)");
  cmd->callback([&global, &exit_code, args] {
    RunCommand(exit_code, [&] { return RunStart(global, *args); });
  });
}

void AddFinish(CLI::App& group, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<ActionArgs>();
  CLI::App* cmd = group.add_subcommand("finish", "Finish an action");
  AddIdentity(*cmd, *args);
  cmd->add_option("--finish-time", args->time, "ISO 8601 finish time (default: now)");
  args->version_opt = cmd->add_option("--expected-version", args->expected_version,
                                      "Fail with a conflict unless the row has this version");
  cmd->callback([&global, &exit_code, args] {
    RunCommand(exit_code, [&] { return RunFinish(global, *args); });
  });
}

void AddShow(CLI::App& group, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<ActionArgs>();
  CLI::App* cmd = group.add_subcommand("show", "Show an action with its events");
  AddIdentity(*cmd, *args);
  cmd->callback([&global, &exit_code, args] {
    RunCommand(exit_code, [&]() -> Result<int> {
      ACTIONLOG_ASSIGN_OR_RETURN(auto journal, OpenJournal(global));
      ACTIONLOG_ASSIGN_OR_RETURN(ActionWithEvents record,
                                 journal->GetAction(args->instance_uuid, args->request_id));
      PrintActionWithEvents(global, record, std::nullopt);
      return kExitOk;
    });
  });
}

struct ListArgs {
  std::string instance_uuid;
  std::int64_t limit = 0;
  CLI::Option* limit_opt = nullptr;
  std::string marker;
  std::string changes_since;
  std::string changes_before;
};

Result<int> RunList(const GlobalOptions& global, const ListArgs& args) {
  ListActionsSpec spec;
  spec.instance_uuid = args.instance_uuid;
  if (args.limit_opt->count() > 0) {
    spec.limit = args.limit;
  }
  if (!args.marker.empty()) {
    spec.marker = args.marker;
  }
  ACTIONLOG_ASSIGN_OR_RETURN(spec.changes_since,
                             ParseTimeOption(args.changes_since, "--changes-since"));
  ACTIONLOG_ASSIGN_OR_RETURN(spec.changes_before,
                             ParseTimeOption(args.changes_before, "--changes-before"));
  ACTIONLOG_ASSIGN_OR_RETURN(auto journal, OpenJournal(global));
  ACTIONLOG_ASSIGN_OR_RETURN(std::vector<Action> actions, journal->ListActions(spec));
  PrintActions(global, actions);
  return kExitOk;
}

void AddList(CLI::App& group, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<ListArgs>();
  CLI::App* cmd = group.add_subcommand("list", "List an instance's actions, newest first");
  cmd->add_option("instance", args->instance_uuid, "Instance UUID")->required();
  args->limit_opt = cmd->add_option("--limit", args->limit, "At most this many actions");
  cmd->add_option("--marker", args->marker,
                  "Request id of the last action of the previous page (exclusive)");
  cmd->add_option("--changes-since", args->changes_since,
                  "Only actions with updated_at >= this ISO 8601 time");
  cmd->add_option("--changes-before", args->changes_before,
                  "Only actions with updated_at <= this ISO 8601 time");
  cmd->callback([&global, &exit_code, args] {
    RunCommand(exit_code, [&] { return RunList(global, *args); });
  });
}

}  // namespace

void AddActionCommands(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* group = app.add_subcommand("action", "Start, finish, show and list actions");
  group->require_subcommand(1);
  AddStart(*group, global, exit_code);
  AddFinish(*group, global, exit_code);
  AddShow(*group, global, exit_code);
  AddList(*group, global, exit_code);
}

}  // namespace actionlog::cli
