// `actionlog`: the command-line tool over the journal. See docs/cli.md.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "cli_support.hpp"
#include "commands.hpp"

namespace actionlog::cli {
namespace {

void AddGlobalOptions(CLI::App& app, GlobalOptions& global) {
  global.db_url = DefaultDbUrl();
  app.add_option("--db", global.db_url,
                 "Database URL: sqlite:///path/to/file.db or postgresql://... "
                 "(env ACTIONLOG_DB; default sqlite:///<cwd>/actionlog.db)")
      ->envname("ACTIONLOG_DB");
  app.add_option("-f,--format", global.format, "Output format: table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_flag("--relaxed-durability", global.relaxed_durability,
               "Acknowledge writes before they survive power loss (SQLite synchronous=NORMAL)");
  app.add_option("--user", global.user_id, "User id recorded for changes (env OS_USER_ID)")
      ->envname("OS_USER_ID");
  app.add_option("--project", global.project_id,
                 "Project id recorded for changes (env OS_PROJECT_ID)")
      ->envname("OS_PROJECT_ID");
}

int Main(int argc, char** argv) {
  CLI::App app("actionlog: a journal of Nova instance actions and their events", "actionlog");
  app.fallthrough();
  app.require_subcommand(1);
  GlobalOptions global;
  int exit_code = kExitOk;
  AddGlobalOptions(app, global);
  AddInstanceCommands(app, global, exit_code);
  AddActionCommands(app, global, exit_code);
  AddEventCommands(app, global, exit_code);
  AddCloneCommand(app, global, exit_code);
  AddDbCommands(app, global, exit_code);
  AddImportCommand(app, global, exit_code);
#ifdef ACTIONLOG_HAVE_HTTP
  AddServeCommand(app, global, exit_code);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}

}  // namespace
}  // namespace actionlog::cli

int main(int argc, char** argv) {
  try {
    return actionlog::cli::Main(argc, argv);
  } catch (const actionlog::ErrorException& e) {
    return actionlog::cli::ReportError(e.error());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "actionlog: error: internal: %s\n", e.what());
    return actionlog::cli::kExitInternal;
  } catch (...) {
    std::fprintf(stderr, "actionlog: error: internal: unknown exception\n");
    return actionlog::cli::kExitInternal;
  }
}
