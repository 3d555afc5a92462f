// Helpers of the CLI tests: running the real `actionlog` binary and editing SQLite files.
#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "testing/testing.hpp"

namespace actionlog::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The golden Nova database shipped with the tests.
std::string GoldenNovaDb();

// Copies the golden Nova database to `path` (writable).
void CopyGoldenNovaDb(const std::string& path);

// Runs ACTIONLOG_BINARY with `args` (shell-quoted) from `dir`, with `stdin_text` on stdin.
// `env` entries ("NAME=value") are set for the command only.
CommandResult RunActionlog(const TempDir& dir, const std::vector<std::string>& args,
                           const std::string& stdin_text = "",
                           const std::vector<std::string>& env = {});

// Runs SQL statements on a SQLite file with the C API; fails the test on error.
void ExecSql(const std::string& path, const std::string& sql);
// The first column of the first row of `sql`, as text ("" when NULL or no row).
std::string QuerySql(const std::string& path, const std::string& sql);

// Parses stdout as JSON; fails the test if it is not.
boost::json::value ParseJson(const std::string& text);

// lower-hex SHA-256 of a file's bytes.
std::string FileSha256(const std::string& path);

}  // namespace actionlog::testing
