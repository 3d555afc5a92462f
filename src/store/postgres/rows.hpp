// Conversions between records and statement parameters/result rows. Column and parameter order
// is that of the *_COLUMNS lists in sql.cpp. Thread-safe: stateless.
#pragma once

#include <cstdint>
#include <string_view>

#include "actionlog/core/types.hpp"
#include "store/postgres/statement.hpp"

namespace actionlog::store::postgres {

// Every column as $1..$N ($1 = id; inserts without an id ignore it).
Params RowParams(const Instance& row);
Params RowParams(const Action& row);
Params RowParams(const Event& row);
Params RowParams(const ChangeEntry& row);
// The parameters of the UPDATE statements: the id, the columns the journal changes, the version
// the row must still have.
Params UpdateParams(const Instance& row, std::int64_t expected_version);
Params UpdateParams(const Action& row, std::int64_t expected_version);
Params UpdateParams(const Event& row, std::int64_t expected_version);
// StmtId::kSealChange: $1 the entry's canonical bytes after `{"seq":<seq>` (bytea), then every
// column from recorded_at to row_image; the server assigns seq, prev_hash and hash.
Params SealParams(const ChangeEntry& row, std::string_view canonical_rest);

Instance ReadInstance(const ResultRow& row);
// The number of columns ReadAction reads (ACTIONLOG_PG_ACTION_COLUMNS).
inline constexpr int kActionColumnCount = 14;
Action ReadAction(const ResultRow& row);
Event ReadEvent(const ResultRow& row);
ChangeEntry ReadChange(const ResultRow& row);

}  // namespace actionlog::store::postgres
