// Subcommands of the `actionlog` executable. main.cpp builds the CLI11 app and calls each Add*.
// Each command group lives in its own file; handlers return a process exit code (see
// docs/cli.md: 0 ok, 3 not found, 4 conflict, 5 invalid input, 6 verify failure, ...).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace actionlog::cli {

struct GlobalOptions {
  std::string db_url;         // --db; empty means the documented default
  std::string format = "table";  // -f table|json
  bool relaxed_durability = false;
};

// serve_command.cpp (HTTP module): `actionlog serve ...`.
void AddServeCommand(CLI::App& app, GlobalOptions& global, int& exit_code);

}  // namespace actionlog::cli
