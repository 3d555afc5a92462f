#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "cli_support.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace actionlog::cli {
namespace {

constexpr const char* kService = "actionlog-cli";

struct EventArgs {
  std::string instance_uuid;
  std::string request_id;
  std::string event;
  std::string host;
  CLI::Option* host_opt = nullptr;
  std::string time;  // --start-time / --finish-time
  std::string result;
  std::string details;
  CLI::Option* details_opt = nullptr;
  std::string traceback;
  CLI::Option* traceback_opt = nullptr;
  std::string traceback_file;
  std::int64_t expected_version = 0;
  CLI::Option* version_opt = nullptr;
};

void AddIdentity(CLI::App& cmd, EventArgs& args) {
  cmd.add_option("instance", args.instance_uuid, "Instance UUID")->required();
  cmd.add_option("request_id", args.request_id, "Request id of the action")->required();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorCode::kInvalidArgument, "cannot read '" + path + "'");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<int> RunStart(const GlobalOptions& global, const EventArgs& args) {
  StartEventSpec spec{.instance_uuid = args.instance_uuid,
                      .request_id = args.request_id,
                      .event = args.event,
                      .host = std::nullopt,
                      .start_time = std::nullopt};
  if (args.host_opt->count() > 0) {
    spec.host = args.host;
  }
  ACTIONLOG_ASSIGN_OR_RETURN(spec.start_time, ParseTimeOption(args.time, "--start-time"));
  ACTIONLOG_ASSIGN_OR_RETURN(auto journal, OpenJournal(global));
  ACTIONLOG_ASSIGN_OR_RETURN(auto written, journal->StartEvent(MakeActor(global, kService), spec));
  PrintEvent(global, written.record, written.created);
  return kExitOk;
}

Result<FinishEventSpec> MakeFinishSpec(const EventArgs& args) {
  FinishEventSpec spec;
  spec.instance_uuid = args.instance_uuid;
  spec.request_id = args.request_id;
  spec.event = args.event;
  spec.result = args.result;
  if (args.details_opt->count() > 0) {
    spec.details = args.details;
  }
  if (args.traceback_opt->count() > 0) {
    spec.traceback = args.traceback;
  } else if (!args.traceback_file.empty()) {
    ACTIONLOG_ASSIGN_OR_RETURN(spec.traceback, ReadFile(args.traceback_file));
  }
  ACTIONLOG_ASSIGN_OR_RETURN(spec.finish_time, ParseTimeOption(args.time, "--finish-time"));
  if (args.version_opt->count() > 0) {
    spec.expected_version = args.expected_version;
  }
  return spec;
}

Result<int> RunFinish(const GlobalOptions& global, const EventArgs& args) {
  ACTIONLOG_ASSIGN_OR_RETURN(FinishEventSpec spec, MakeFinishSpec(args));
  ACTIONLOG_ASSIGN_OR_RETURN(auto journal, OpenJournal(global));
  ACTIONLOG_ASSIGN_OR_RETURN(auto written, journal->FinishEvent(MakeActor(global, kService), spec));
  PrintEvent(global, written.record, written.created);
  return kExitOk;
}

void AddStart(CLI::App& group, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<EventArgs>();
  CLI::App* cmd = group.add_subcommand("start", "Start an event of an action");
  AddIdentity(*cmd, *args);
  cmd->add_option("event", args->event, "Event name (compute_reboot_instance, ...)")->required();
  args->host_opt = cmd->add_option("--host", args->host, "Host that runs the step");
  cmd->add_option("--start-time", args->time, "ISO 8601 start time (default: now)");
  cmd->callback([&global, &exit_code, args] {
    RunCommand(exit_code, [&] { return RunStart(global, *args); });
  });
}

void AddFinish(CLI::App& group, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<EventArgs>();
  CLI::App* cmd = group.add_subcommand("finish", "Finish an event (a failure marks the action)");
  AddIdentity(*cmd, *args);
  cmd->add_option("event", args->event, "Event name")->required();
  cmd->add_option("--result", args->result, "Success or Error")->required();
  args->details_opt = cmd->add_option("--details", args->details,
                                      "Fault message (cut to 255 bytes on a UTF-8 boundary)");
  args->traceback_opt = cmd->add_option("--traceback", args->traceback, "Traceback text");
  cmd->add_option("--traceback-file", args->traceback_file, "Read the traceback from this file")
      ->excludes(args->traceback_opt);
  cmd->add_option("--finish-time", args->time, "ISO 8601 finish time (default: now)");
  args->version_opt = cmd->add_option("--expected-version", args->expected_version,
                                      "Fail with a conflict unless the row has this version");
  cmd->callback([&global, &exit_code, args] {
    RunCommand(exit_code, [&] { return RunFinish(global, *args); });
  });
}

void AddList(CLI::App& group, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<EventArgs>();
  CLI::App* cmd = group.add_subcommand("list", "List the events of an action, newest first");
  AddIdentity(*cmd, *args);
  cmd->callback([&global, &exit_code, args] {
    RunCommand(exit_code, [&]() -> Result<int> {
      ACTIONLOG_ASSIGN_OR_RETURN(auto journal, OpenJournal(global));
      ACTIONLOG_ASSIGN_OR_RETURN(std::vector<Event> events,
                                 journal->ListEvents(args->instance_uuid, args->request_id));
      PrintEvents(global, events);
      return kExitOk;
    });
  });
}

}  // namespace

void AddEventCommands(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* group = app.add_subcommand("event", "Start, finish and list events of an action");
  group->require_subcommand(1);
  AddStart(*group, global, exit_code);
  AddFinish(*group, global, exit_code);
  AddList(*group, global, exit_code);
}

}  // namespace actionlog::cli
