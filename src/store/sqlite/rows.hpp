// Conversions between records and statement parameters/columns. Column and parameter order is
// that of the *_COLUMNS lists in sql.cpp. Thread-safe: stateless.
#pragma once

#include "actionlog/core/error.hpp"
#include "actionlog/core/types.hpp"
#include "store/sqlite/statement.hpp"

namespace actionlog::store::sqlite {

// Binds every column to ?1..?N (?1 = id; a zero id binds NULL so SQLite assigns one).
void BindRow(Statement& stmt, const Instance& row);
void BindRow(Statement& stmt, const Action& row);
void BindRow(Statement& stmt, const Event& row);
void BindRow(Statement& stmt, const ChangeEntry& row);

// Reads the current result row. kDataLoss when a stored timestamp does not parse.
Result<Instance> ReadInstance(const Statement& stmt);
Result<Action> ReadAction(const Statement& stmt);
Result<Event> ReadEvent(const Statement& stmt);
Result<ChangeEntry> ReadChange(const Statement& stmt);

}  // namespace actionlog::store::sqlite
