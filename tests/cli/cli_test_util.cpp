#include "cli/cli_test_util.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sqlite3.h>
#include <sys/wait.h>

#include "actionlog/core/change_log.hpp"

namespace actionlog::testing {
namespace {

std::string ShellQuote(const std::string& arg) {
  std::string out = "'";
  for (const char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string GoldenNovaDb() { return ACTIONLOG_SOURCE_DIR "/tests/cli/data/nova-db.sqlite"; }

void CopyGoldenNovaDb(const std::string& path) {
  std::filesystem::copy_file(GoldenNovaDb(), path,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

CommandResult RunActionlog(const TempDir& dir, const std::vector<std::string>& args,
                           const std::string& stdin_text, const std::vector<std::string>& env) {
  const std::string in = dir.File("stdin.txt");
  const std::string out = dir.File("stdout.txt");
  const std::string err = dir.File("stderr.txt");
  std::ofstream(in, std::ios::binary) << stdin_text;
  std::string command = "cd " + ShellQuote(dir.path().string()) + " && env -u ACTIONLOG_DB";
  for (const std::string& e : env) {
    command += " " + ShellQuote(e);
  }
  command += " " + ShellQuote(ACTIONLOG_BINARY);
  for (const std::string& arg : args) {
    command += " " + ShellQuote(arg);
  }
  command += " <" + ShellQuote(in) + " >" + ShellQuote(out) + " 2>" + ShellQuote(err);
  // The tests run commands one at a time.
  const int status = std::system(command.c_str());  // NOLINT(concurrency-mt-unsafe)
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadAll(out);
  result.err = ReadAll(err);
  return result;
}

void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
            SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  const std::string text = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close_v2(db);
  ASSERT_EQ(rc, SQLITE_OK) << text << "\n" << sql;
}

std::string QuerySql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string value;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close_v2(db);
  return value;
}

boost::json::value ParseJson(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << "not JSON: " << text;
  return value;
}

std::string FileSha256(const std::string& path) { return Sha256Hex(ReadAll(path)); }

}  // namespace actionlog::testing
