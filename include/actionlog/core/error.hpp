// Error values shared by every actionlog module.
//
// Every fallible function returns Result<T>: either a value or an Error. Error codes are stable:
// they appear in the CLI's exit codes, in HTTP error bodies and in docs/architecture.md, so a
// value is never renumbered or reused.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

namespace actionlog {

enum class ErrorCode : std::uint8_t {
  kOk = 0,
  kInvalidArgument = 1,     // the input is malformed or breaks a validation rule
  kNotFound = 2,            // the instance, action or event does not exist
  kConflict = 3,            // a different record already holds this identity or state
  kFailedPrecondition = 4,  // the operation does not apply to the record's current state
  kUnavailable = 5,         // transient: the store is busy, full or unreachable; retry later
  kDataLoss = 6,            // the database is corrupt or was changed behind actionlog's back
  kUnsupported = 7,         // e.g. a database schema newer than this binary
  kInternal = 8,            // a bug: an invariant did not hold
};

// The stable lower-case name of a code ("not_found", "conflict", ...).
std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  friend bool operator==(const Error&, const Error&) = default;
};

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

// Boost.System calls this when .value() is used on a Result holding an error.
[[noreturn]] void throw_exception_from_error(const Error& error, const boost::source_location& loc);

// Thrown only by Result<T>::value() on an error; never crosses a module boundary on purpose.
class ErrorException : public std::exception {
 public:
  explicit ErrorException(Error error) : error_(std::move(error)) {}

  const char* what() const noexcept override { return error_.message.c_str(); }

  const Error& error() const noexcept { return error_; }  // NOLINT(readability-identifier-naming)

 private:
  Error error_;
};

template <class T>
using Result = boost::system::result<T, Error>;

using Status = Result<void>;

inline Status OkStatus() { return {}; }

}  // namespace actionlog

#define ACTIONLOG_CONCAT_INNER(a, b) a##b
#define ACTIONLOG_CONCAT(a, b) ACTIONLOG_CONCAT_INNER(a, b)

// Returns the error of `expr` (a Result) from the enclosing function.
#define ACTIONLOG_RETURN_IF_ERROR(expr) \
  ACTIONLOG_RETURN_IF_ERROR_IMPL(ACTIONLOG_CONCAT(actionlog_status_, __COUNTER__), expr)

// `tmp` names a variable and `lhs` is a declaration: neither can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ACTIONLOG_RETURN_IF_ERROR_IMPL(tmp, expr) \
  do {                                            \
    auto&& tmp = (expr);                          \
    if (!tmp) {                                   \
      return std::move(tmp).error();              \
    }                                             \
  } while (false)

// Declares `lhs` from the value of `expr` (a Result) or returns its error.
#define ACTIONLOG_ASSIGN_OR_RETURN(lhs, expr) \
  ACTIONLOG_ASSIGN_OR_RETURN_IMPL(ACTIONLOG_CONCAT(actionlog_result_, __COUNTER__), lhs, expr)

#define ACTIONLOG_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp) {                                           \
    return std::move(tmp).error();                      \
  }                                                     \
  lhs = std::move(*tmp)
// NOLINTEND(bugprone-macro-parentheses)

// Always-on invariant check: aborts with a message. Never used for bad input.
#define ACTIONLOG_CHECK(cond)                                        \
  do {                                                               \
    if (!(cond)) {                                                   \
      ::actionlog::internal::CheckFailed(#cond, __FILE__, __LINE__); \
    }                                                                \
  } while (false)

namespace actionlog::internal {
[[noreturn]] void CheckFailed(const char* expr, const char* file, int line);
}  // namespace actionlog::internal
