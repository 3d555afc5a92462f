#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "cli_support.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "record_json.hpp"

namespace actionlog::cli {
namespace {

constexpr const char* kService = "actionlog-cli";

// The whole of `path`, or of stdin for "-".
Result<std::string> ReadInput(const std::string& path) {
  std::ostringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorCode::kInvalidArgument, "cannot read '" + path + "'");
  }
  text << in.rdbuf();
  return text.str();
}

Result<int> RunClone(const GlobalOptions& global, const std::string& path) {
  ACTIONLOG_ASSIGN_OR_RETURN(std::string text, ReadInput(path));
  ACTIONLOG_ASSIGN_OR_RETURN(ActionWithEvents record, ParseActionWithEvents(text));
  ACTIONLOG_ASSIGN_OR_RETURN(auto journal, OpenJournal(global));
  ACTIONLOG_ASSIGN_OR_RETURN(auto written,
                             journal->CloneActionWithEvents(MakeActor(global, kService), record));
  PrintActionWithEvents(global, written.record, written.created);
  return kExitOk;
}

}  // namespace

void AddCloneCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto path = std::make_shared<std::string>("-");
  CLI::App* cmd = app.add_subcommand(
      "clone", "Record a complete action with its events from JSON (as printed by action show)");
  cmd->add_option("file", *path, "JSON file, or - for stdin")->capture_default_str();
  cmd->callback([&global, &exit_code, path] {
    RunCommand(exit_code, [&] { return RunClone(global, *path); });
  });
}

}  // namespace actionlog::cli
