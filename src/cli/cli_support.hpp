// Shared plumbing of the CLI commands: exit codes, error reporting, opening the journal, the
// actor, and option parsing helpers. Not thread-safe (the CLI is single-threaded).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "actionlog/core/error.hpp"
#include "actionlog/core/journal.hpp"
#include "actionlog/store/store.hpp"
#include "commands.hpp"

namespace actionlog::cli {

// Process exit codes (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNotFound = 3;
inline constexpr int kExitConflict = 4;
inline constexpr int kExitInvalid = 5;
inline constexpr int kExitDataLoss = 6;
inline constexpr int kExitUnavailable = 7;
inline constexpr int kExitUnsupported = 8;

// The one mapping from error codes to exit codes.
int ExitCodeFor(ErrorCode code);

// Prints "actionlog: error: <code name>: <message>" on stderr; returns ExitCodeFor(code).
int ReportError(const Error& error);

// sqlite:///<current directory>/actionlog.db
std::string DefaultDbUrl();

// Store options from the global flags; `adjust` may change them (db upgrade, db version).
store::StoreOptions MakeStoreOptions(const GlobalOptions& global);

Result<std::unique_ptr<Journal>> OpenJournal(const GlobalOptions& global);

Actor MakeActor(const GlobalOptions& global, std::string service);

// Parses an ISO 8601 time given on the command line; `option` names it in the error.
Result<std::optional<Timestamp>> ParseTimeOption(const std::string& text, std::string_view option);

// Runs a command body: stores its exit code, reporting its error if it failed.
void RunCommand(int& exit_code, const std::function<Result<int>()>& body);

}  // namespace actionlog::cli
