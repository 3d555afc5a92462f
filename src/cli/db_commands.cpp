#include <memory>
#include <string>

#include "actionlog/store/open_store.hpp"
#include "cli_support.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace actionlog::cli {
namespace json = boost::json;

namespace {

Result<int> RunVerify(const GlobalOptions& global) {
  ACTIONLOG_ASSIGN_OR_RETURN(auto journal, OpenJournal(global));
  ACTIONLOG_ASSIGN_OR_RETURN(VerifyReport report, journal->Verify());
  if (WantsJson(global)) {
    json::value bad = nullptr;
    if (report.first_bad_seq) {
      bad = *report.first_bad_seq;
    }
    PrintJson(json::object{{"ok", report.ok},
                           {"entries_checked", report.entries_checked},
                           {"rows_checked", report.rows_checked},
                           {"first_bad_seq", bad},
                           {"problem", report.problem}});
  } else {
    Table table({"CHECK", "RESULT"});
    table.AddRow({"status", report.ok ? "ok" : "FAILED"});
    table.AddRow({"change-log entries checked", std::to_string(report.entries_checked)});
    table.AddRow({"rows checked", std::to_string(report.rows_checked)});
    if (report.first_bad_seq) {
      table.AddRow({"first bad entry", std::to_string(*report.first_bad_seq)});
    }
    std::fputs(table.Render().c_str(), stdout);
  }
  if (report.ok) {
    return kExitOk;
  }
  const std::string where =
      report.first_bad_seq ? " at change-log entry " + std::to_string(*report.first_bad_seq) : "";
  return ReportError(
      MakeError(ErrorCode::kDataLoss, "verify failed" + where + ": " + report.problem));
}

Result<std::unique_ptr<store::Store>> OpenForSchema(const GlobalOptions& global,
                                                    bool create_if_empty) {
  store::StoreOptions options = MakeStoreOptions(global);
  options.create_if_empty = create_if_empty;
  options.allow_old_schema = true;
  return store::OpenStore(options);
}

void PrintVersions(const GlobalOptions& global, const json::object& doc, const std::string& text) {
  if (WantsJson(global)) {
    PrintJson(doc);
  } else {
    std::fputs(text.c_str(), stdout);
  }
}

// Opening without create_if_empty shows the version before the upgrade. A database that cannot
// be opened that way does not exist yet: opening it with create_if_empty creates and migrates it.
Result<int> RunUpgrade(const GlobalOptions& global) {
  Result<std::unique_ptr<store::Store>> existing = OpenForSchema(global, false);
  int old_version = 0;
  std::unique_ptr<store::Store> store;
  if (existing) {
    store = std::move(*existing);
    ACTIONLOG_ASSIGN_OR_RETURN(old_version, store->SchemaVersion());
  } else {
    ACTIONLOG_ASSIGN_OR_RETURN(store, OpenForSchema(global, true));
  }
  ACTIONLOG_RETURN_IF_ERROR(store->Upgrade());
  ACTIONLOG_ASSIGN_OR_RETURN(const int new_version, store->SchemaVersion());
  PrintVersions(global, {{"old_version", old_version}, {"new_version", new_version}},
                "schema version " + std::to_string(old_version) + " -> " +
                    std::to_string(new_version) + "\n");
  return kExitOk;
}

Result<int> RunVersion(const GlobalOptions& global) {
  ACTIONLOG_ASSIGN_OR_RETURN(auto store, OpenForSchema(global, false));
  ACTIONLOG_ASSIGN_OR_RETURN(const int version, store->SchemaVersion());
  const std::string backend(store->Backend());
  Table table({"FIELD", "VALUE"});
  table.AddRow({"backend", backend});
  table.AddRow({"schema_version", std::to_string(version)});
  table.AddRow({"binary_schema_version", std::to_string(store::kSchemaVersion)});
  PrintVersions(global,
                {{"backend", backend},
                 {"schema_version", version},
                 {"binary_schema_version", store::kSchemaVersion}},
                table.Render());
  return kExitOk;
}

}  // namespace

void AddDbCommands(CLI::App& app, GlobalOptions& global, int& exit_code) {
  app.add_subcommand("verify", "Check the change log's hash chain and every row against it")
      ->callback(
          [&global, &exit_code] { RunCommand(exit_code, [&] { return RunVerify(global); }); });
  CLI::App* db = app.add_subcommand("db", "Schema version and migrations");
  db->require_subcommand(1);
  db->add_subcommand("upgrade", "Apply pending schema migrations")->callback([&global, &exit_code] {
    RunCommand(exit_code, [&] { return RunUpgrade(global); });
  });
  db->add_subcommand("version", "Show the database's and this binary's schema versions")
      ->callback(
          [&global, &exit_code] { RunCommand(exit_code, [&] { return RunVersion(global); }); });
}

}  // namespace actionlog::cli
