#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli_support.hpp"
#include "commands.hpp"
#include "import/nova_import.hpp"
#include "output.hpp"

namespace actionlog::cli {
namespace json = boost::json;

namespace {

constexpr const char* kService = "nova-import";

struct ImportArgs {
  std::string from_nova;
  int jobs = 32;
};

void PrintRejection(const import::Rejection& r) {
  const std::string_view code = ErrorCodeName(r.code);
  std::fprintf(stderr, "actionlog: rejected: %s id=%lld (%s): %.*s: %s\n", r.table.c_str(),
               static_cast<long long>(r.id), r.context.c_str(), static_cast<int>(code.size()),
               code.data(), r.reason.c_str());
}

json::object CountsJson(const import::ImportCounts& c) {
  return {{"imported", c.imported},
          {"updated", c.updated},
          {"unchanged", c.unchanged},
          {"rejected", c.rejected}};
}

void PrintSummary(const GlobalOptions& global, const import::ImportSummary& s, double seconds) {
  if (WantsJson(global)) {
    PrintJson(json::object{{"instances", CountsJson(s.instances)},
                           {"actions", CountsJson(s.actions)},
                           {"events", CountsJson(s.events)},
                           {"elapsed_seconds", seconds}});
    return;
  }
  Table table({"TABLE", "IMPORTED", "UPDATED", "UNCHANGED", "REJECTED"});
  const auto row = [&](const char* name, const import::ImportCounts& c) {
    table.AddRow({name, std::to_string(c.imported), std::to_string(c.updated),
                  std::to_string(c.unchanged), std::to_string(c.rejected)});
  };
  row("instances", s.instances);
  row("instance_actions", s.actions);
  row("instance_actions_events", s.events);
  std::fputs(table.Render().c_str(), stdout);
  std::printf("elapsed %.3f s\n", seconds);
}

Result<int> RunImport(const GlobalOptions& global, const ImportArgs& args) {
  ACTIONLOG_ASSIGN_OR_RETURN(auto source, import::OpenNovaSource(args.from_nova));
  ACTIONLOG_ASSIGN_OR_RETURN(auto journal, OpenJournal(global));
  const import::ImportOptions options{
      .actor = MakeActor(global, kService), .jobs = args.jobs, .on_reject = PrintRejection};
  const auto start = std::chrono::steady_clock::now();
  ACTIONLOG_ASSIGN_OR_RETURN(import::ImportSummary summary,
                             import::ImportFromNova(*source, *journal, options));
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  PrintSummary(global, summary, elapsed.count());
  if (summary.Rejected() == 0) {
    return kExitOk;
  }
  const ErrorCode code =
      summary.rejected_conflicts > 0 ? ErrorCode::kConflict : ErrorCode::kInvalidArgument;
  return ReportError(MakeError(
      code, std::to_string(summary.Rejected()) + " Nova rows were rejected (listed above)"));
}

}  // namespace

void AddImportCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Copy instances, actions and events from a Nova database (read-only)");
  cmd->add_option("--from-nova", args->from_nova, "Nova database URL: sqlite:///path/nova.sqlite")
      ->required();
  cmd->add_option("--jobs", args->jobs, "Concurrent clone workers")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->callback([&global, &exit_code, args] {
    RunCommand(exit_code, [&] { return RunImport(global, *args); });
  });
}

}  // namespace actionlog::cli
