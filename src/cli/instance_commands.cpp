#include <cstdint>
#include <memory>
#include <string>

#include "cli_support.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace actionlog::cli {
namespace {

constexpr const char* kService = "actionlog-cli";

struct PutArgs {
  std::string uuid;
  std::string project_id;
  std::string user_id;
  std::string host;
  std::string display_name;
  std::int64_t expected_version = 0;
  CLI::Option* user_opt = nullptr;
  CLI::Option* host_opt = nullptr;
  CLI::Option* name_opt = nullptr;
  CLI::Option* version_opt = nullptr;
};

std::optional<std::string> Given(const CLI::Option* opt, const std::string& value) {
  return opt->count() > 0 ? std::optional<std::string>(value) : std::nullopt;
}

Result<int> RunPut(const GlobalOptions& global, const PutArgs& args) {
  InstanceSpec spec;
  spec.uuid = args.uuid;
  spec.project_id = args.project_id.empty() ? global.project_id : args.project_id;
  if (args.user_opt->count() > 0) {
    spec.user_id = args.user_id;
  } else if (!global.user_id.empty()) {
    spec.user_id = global.user_id;
  }
  spec.host = Given(args.host_opt, args.host);
  spec.display_name = Given(args.name_opt, args.display_name);
  if (args.version_opt->count() > 0) {
    spec.expected_version = args.expected_version;
  }
  ACTIONLOG_ASSIGN_OR_RETURN(auto journal, OpenJournal(global));
  ACTIONLOG_ASSIGN_OR_RETURN(auto written, journal->PutInstance(MakeActor(global, kService), spec));
  PrintInstance(global, written.record, written.created);
  return kExitOk;
}

void AddPut(CLI::App& group, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<PutArgs>();
  CLI::App* cmd = group.add_subcommand("put", "Register or update an instance");
  cmd->add_option("uuid", args->uuid, "Instance UUID")->required();
  cmd->add_option("--project-id", args->project_id,
                  "Owning project (default: --project / OS_PROJECT_ID)");
  args->user_opt =
      cmd->add_option("--user-id", args->user_id, "Owning user (default: --user / OS_USER_ID)");
  args->host_opt = cmd->add_option("--host", args->host, "Compute host");
  args->name_opt = cmd->add_option("--name", args->display_name, "Display name");
  args->version_opt = cmd->add_option("--expected-version", args->expected_version,
                                      "Fail with a conflict unless the row has this version");
  cmd->callback([&global, &exit_code, args] {
    RunCommand(exit_code, [&] { return RunPut(global, *args); });
  });
}

void AddDelete(CLI::App& group, GlobalOptions& global, int& exit_code) {
  auto uuid = std::make_shared<std::string>();
  CLI::App* cmd = group.add_subcommand("delete", "Soft-delete an instance (its actions remain)");
  cmd->add_option("uuid", *uuid, "Instance UUID")->required();
  cmd->callback([&global, &exit_code, uuid] {
    RunCommand(exit_code, [&]() -> Result<int> {
      ACTIONLOG_ASSIGN_OR_RETURN(auto journal, OpenJournal(global));
      ACTIONLOG_ASSIGN_OR_RETURN(Instance instance,
                                 journal->DeleteInstance(MakeActor(global, kService), *uuid));
      PrintInstance(global, instance, std::nullopt);
      return kExitOk;
    });
  });
}

void AddShow(CLI::App& group, GlobalOptions& global, int& exit_code) {
  auto uuid = std::make_shared<std::string>();
  CLI::App* cmd = group.add_subcommand("show", "Show an instance (live or deleted)");
  cmd->add_option("uuid", *uuid, "Instance UUID")->required();
  cmd->callback([&global, &exit_code, uuid] {
    RunCommand(exit_code, [&]() -> Result<int> {
      ACTIONLOG_ASSIGN_OR_RETURN(auto journal, OpenJournal(global));
      ACTIONLOG_ASSIGN_OR_RETURN(Instance instance, journal->GetInstance(*uuid));
      PrintInstance(global, instance, std::nullopt);
      return kExitOk;
    });
  });
}

}  // namespace

void AddInstanceCommands(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* group = app.add_subcommand("instance", "Register, delete and show instances");
  group->require_subcommand(1);
  AddPut(*group, global, exit_code);
  AddDelete(*group, global, exit_code);
  AddShow(*group, global, exit_code);
}

}  // namespace actionlog::cli
