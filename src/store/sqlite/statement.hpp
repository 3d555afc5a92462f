// A borrowed, prepared SQLite statement: bind parameters, step, read columns.
//
// Statement does not own the sqlite3_stmt (the Connection's cache does); its destructor resets
// the statement and clears its bindings so the next user starts clean. Text bound with
// BindText is not copied: it must stay alive until the statement is reset. Not thread-safe:
// used by one thread, inside one call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "actionlog/core/error.hpp"
#include "actionlog/core/time.hpp"

namespace actionlog::store::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;

  void BindInt(int index, std::int64_t value);
  void BindNull(int index);
  void BindText(int index, std::string_view value);
  void BindText(int index, const std::optional<std::string>& value);
  void BindTime(int index, Timestamp value);
  void BindTime(int index, const std::optional<Timestamp>& value);

  // Runs one step: true when a row is ready, false when done. `context` prefixes errors.
  Result<bool> Step(std::string_view context);
  // Runs the statement to completion, expecting no rows.
  Status Run(std::string_view context);

  std::int64_t ColumnInt(int column) const;
  std::string ColumnText(int column) const;
  std::optional<std::string> ColumnOptText(int column) const;
  // kDataLoss when the stored text is not a timestamp.
  Result<std::optional<Timestamp>> ColumnTime(int column) const;
  Result<Timestamp> ColumnRequiredTime(int column) const;

 private:
  std::string_view Text(int column) const;
  // `column`'s text, given what sqlite3_column_text returned for it (empty for none).
  std::string_view View(int column, const unsigned char* text) const;
  // Whether `column` is NULL, given what sqlite3_column_text returned for it.
  bool IsNull(int column, const unsigned char* text) const;
  // `text` (column `column`'s) as a timestamp; kDataLoss naming the column when it is not one.
  Result<Timestamp> ParseTime(int column, std::string_view text) const;
  void Check(int rc);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

}  // namespace actionlog::store::sqlite
