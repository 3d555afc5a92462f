// Test helpers shared by every test binary: Result matchers and temporary directories.
#pragma once

#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "actionlog/core/error.hpp"
#include "actionlog/core/time.hpp"

namespace actionlog {

inline void PrintTo(const Error& error, std::ostream* os) {
  *os << ErrorCodeName(error.code) << ": " << error.message;
}

inline void PrintTo(const Timestamp& t, std::ostream* os) { *os << FormatApiTime(t); }

}  // namespace actionlog

namespace boost::system {

// gtest prints Results through this instead of Boost's operator<<, which needs T streamable.
template <class T>
void PrintTo(const result<T, actionlog::Error>& r, std::ostream* os) {
  if (r.has_value()) {
    *os << "OK";
  } else {
    actionlog::PrintTo(r.error(), os);
  }
}

}  // namespace boost::system

namespace actionlog::testing {

// EXPECT_THAT(result, IsOk());
MATCHER(IsOk, "is OK") {
  if (arg.has_value()) {
    return true;
  }
  *result_listener << "error " << ErrorCodeName(arg.error().code) << ": " << arg.error().message;
  return false;
}

// EXPECT_THAT(result, HasError(ErrorCode::kConflict));
MATCHER_P(HasError, code, "has error " + std::string(ErrorCodeName(code))) {
  if (arg.has_value()) {
    *result_listener << "is OK";
    return false;
  }
  *result_listener << "error " << ErrorCodeName(arg.error().code) << ": " << arg.error().message;
  return arg.error().code == code;
}

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Asserts that a Result holds a value and yields it.
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(ACTIONLOG_CONCAT(actionlog_test_result_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  ASSERT_THAT(tmp, ::actionlog::testing::IsOk()); \
  lhs = std::move(*tmp)

}  // namespace actionlog::testing
