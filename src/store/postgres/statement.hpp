// Binary parameters and binary result rows of prepared PostgreSQL statements.
//
// Params collects the parameters of one statement call in PostgreSQL's binary format: bigint as
// 8 big-endian bytes, timestamp as 8 big-endian bytes of microseconds since 2000-01-01, text as
// its bytes with an explicit length (so embedded NUL bytes reach the server, which rejects them,
// instead of silently truncating the value). ResultRow reads one row of a binary result.
// Not thread-safe: used by one thread, inside one call.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

#include "actionlog/core/error.hpp"
#include "actionlog/core/time.hpp"

namespace actionlog::store::postgres {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};

using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

class Params {
 public:
  void AddInt(std::int64_t value);
  void AddText(std::string_view value);
  void AddText(const std::optional<std::string>& value);
  void AddTime(Timestamp value);
  void AddTime(const std::optional<Timestamp>& value);
  void AddNull();

  int Size() const { return static_cast<int>(values_.size()); }

  // Arrays for PQexecPrepared, valid until the next Add*.
  const char* const* Values() const { return pointers_.data(); }

  const int* Lengths() const { return lengths_.data(); }

  const int* Formats() const { return formats_.data(); }

 private:
  void Push(std::string bytes, bool null);

  std::vector<std::string> values_;
  std::vector<const char*> pointers_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// One row of a binary-format result. Columns must be bigint/integer, timestamp or text.
class ResultRow {
 public:
  // Column numbers passed to the accessors count from `first_column` (a row of a join read as
  // two records).
  ResultRow(const PGresult* result, int row, int first_column = 0)
      : result_(result), row_(row), first_(first_column) {}

  bool IsNull(int column) const;
  std::int64_t Int(int column) const;
  std::string Text(int column) const;
  std::optional<std::string> OptText(int column) const;
  std::optional<Timestamp> OptTime(int column) const;
  Timestamp Time(int column) const;

 private:
  std::string_view Bytes(int column) const;

  const PGresult* result_;
  int row_;
  int first_;
};

}  // namespace actionlog::store::postgres
