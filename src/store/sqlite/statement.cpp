#include "store/sqlite/statement.hpp"

#include <utility>

#include "store/sqlite/errors.hpp"

namespace actionlog::store::sqlite {

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(other.bind_rc_) {}

void Statement::Check(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
  }
}

void Statement::BindInt(int index, std::int64_t value) {
  Check(sqlite3_bind_int64(stmt_, index, value));
}

void Statement::BindNull(int index) { Check(sqlite3_bind_null(stmt_, index)); }

void Statement::BindText(int index, std::string_view value) {
  Check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8));
}

void Statement::BindText(int index, const std::optional<std::string>& value) {
  if (value.has_value()) {
    BindText(index, std::string_view(*value));
  } else {
    BindNull(index);
  }
}

void Statement::BindTime(int index, Timestamp value) {
  const std::string text = FormatStorageTime(value);
  Check(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void Statement::BindTime(int index, const std::optional<Timestamp>& value) {
  if (value.has_value()) {
    BindTime(index, *value);
  } else {
    BindNull(index);
  }
}

Result<bool> Statement::Step(std::string_view context) {
  if (bind_rc_ != SQLITE_OK) {
    return SqliteError(db_, bind_rc_, context);
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return SqliteError(db_, rc, context);
}

Status Statement::Run(std::string_view context) {
  ACTIONLOG_ASSIGN_OR_RETURN(const bool row, Step(context));
  if (row) {
    return MakeError(ErrorCode::kInternal, std::string(context) + ": unexpected result row");
  }
  return OkStatus();
}

std::int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string_view Statement::Text(int column) const {
  return View(column, sqlite3_column_text(stmt_, column));
}

std::string_view Statement::View(int column, const unsigned char* text) const {
  if (text == nullptr) {
    return {};
  }
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  return {reinterpret_cast<const char*>(text), size};
}

std::string Statement::ColumnText(int column) const { return std::string(Text(column)); }

bool Statement::IsNull(int column, const unsigned char* text) const {
  // sqlite3_column_text returns no pointer for NULL (and, on a failed conversion, for nothing
  // else that this store reads): asking the type only then saves a call on every non-NULL value.
  return text == nullptr && sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<std::string> Statement::ColumnOptText(int column) const {
  const unsigned char* data = sqlite3_column_text(stmt_, column);
  if (IsNull(column, data)) {
    return std::nullopt;
  }
  return std::string(View(column, data));
}

Result<std::optional<Timestamp>> Statement::ColumnTime(int column) const {
  const unsigned char* data = sqlite3_column_text(stmt_, column);
  if (IsNull(column, data)) {
    return std::optional<Timestamp>();
  }
  ACTIONLOG_ASSIGN_OR_RETURN(const Timestamp value, ParseTime(column, View(column, data)));
  return std::optional<Timestamp>(value);
}

Result<Timestamp> Statement::ColumnRequiredTime(int column) const {
  return ParseTime(column, Text(column));
}

Result<Timestamp> Statement::ParseTime(int column, std::string_view text) const {
  auto parsed = ParseStorageTime(text);
  if (!parsed) {
    std::string message = "column ";
    message += sqlite3_column_name(stmt_, column);
    message += " holds '";
    message += text;
    message += "', which is not a timestamp: ";
    message += parsed.error().message;
    return MakeError(ErrorCode::kDataLoss, std::move(message));
  }
  return *parsed;
}

}  // namespace actionlog::store::sqlite
