// Subcommands of the `actionlog` executable. main.cpp builds the CLI11 app and calls each Add*.
// Each command group lives in its own file; handlers store a process exit code (see
// docs/cli.md: 0 ok, 3 not found, 4 conflict, 5 invalid input, 6 verify failure, ...).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace actionlog::cli {

struct GlobalOptions {
  std::string db_url;            // --db / ACTIONLOG_DB; main.cpp presets the documented default
  std::string format = "table";  // -f table|json
  bool relaxed_durability = false;
  std::string user_id;     // --user / OS_USER_ID: who makes changes (change log, action.user_id)
  std::string project_id;  // --project / OS_PROJECT_ID
};

// instance_commands.cpp: `actionlog instance put|delete|show`.
void AddInstanceCommands(CLI::App& app, GlobalOptions& global, int& exit_code);
// action_commands.cpp: `actionlog action start|finish|show|list`.
void AddActionCommands(CLI::App& app, GlobalOptions& global, int& exit_code);
// event_commands.cpp: `actionlog event start|finish|list`.
void AddEventCommands(CLI::App& app, GlobalOptions& global, int& exit_code);
// clone_command.cpp: `actionlog clone [FILE]`.
void AddCloneCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
// db_commands.cpp: `actionlog verify`, `actionlog db upgrade|version`.
void AddDbCommands(CLI::App& app, GlobalOptions& global, int& exit_code);
// import_command.cpp: `actionlog import --from-nova URL`.
void AddImportCommand(CLI::App& app, GlobalOptions& global, int& exit_code);

// serve_command.cpp (HTTP module): `actionlog serve ...`.
void AddServeCommand(CLI::App& app, GlobalOptions& global, int& exit_code);

}  // namespace actionlog::cli
