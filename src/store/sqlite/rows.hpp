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

// Reads the current result row into `row`, which the caller provides so that a row is built
// in its final place (a list of 50 actions is 50 rows of a dozen strings each). kDataLoss when
// a stored timestamp does not parse; `row` is then partly filled.
Status ReadInstance(const Statement& stmt, Instance& row);
Status ReadAction(const Statement& stmt, Action& row);
Status ReadEvent(const Statement& stmt, Event& row);
Status ReadChange(const Statement& stmt, ChangeEntry& row);

}  // namespace actionlog::store::sqlite
