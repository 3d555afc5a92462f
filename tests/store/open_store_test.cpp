// The URL helpers of src/store/open_store.cpp: SqliteUrlPath and RedactUrl.
#include "actionlog/store/open_store.hpp"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/testing.hpp"

namespace actionlog::store {
namespace {

using ::actionlog::testing::HasError;

TEST(SqliteUrlPathTest, AcceptsTheSqlAlchemyForms) {
  EXPECT_EQ(SqliteUrlPath("sqlite:///var/lib/a.db").value(), "/var/lib/a.db");
  EXPECT_EQ(SqliteUrlPath("sqlite:////var/lib/a.db").value(), "/var/lib/a.db");
  EXPECT_EQ(SqliteUrlPath("sqlite://relative/a.db").value(), "relative/a.db");
  EXPECT_EQ(SqliteUrlPath("sqlite://:memory:").value(), ":memory:");
  EXPECT_THAT(SqliteUrlPath("sqlite://"), HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(SqliteUrlPath("postgresql://h/db"), HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(SqliteUrlPath(std::string("sqlite:///a\0b", 13)),
              HasError(ErrorCode::kInvalidArgument));
}

TEST(RedactUrlTest, HidesPasswordsOnly) {
  EXPECT_EQ(RedactUrl("postgresql://actionlog:s3cret@db1:5432/actionlog"),
            "postgresql://actionlog:***@db1:5432/actionlog");
  EXPECT_EQ(RedactUrl("postgresql://u:p%40ss@h1,h2/db?target_session_attrs=prefer-standby"),
            "postgresql://u:***@h1,h2/db?target_session_attrs=prefer-standby");
  EXPECT_EQ(RedactUrl("postgresql://u@/db?host=/run/pg&password=s3cret&port=5433"),
            "postgresql://u@/db?host=/run/pg&password=***&port=5433");
  EXPECT_EQ(RedactUrl("postgresql://u:a@b@h/db?password=x#frag"),
            "postgresql://u:***@h/db?password=***#frag");
  // Nothing to hide: unchanged.
  for (const char* url :
       {"postgresql://u@h/db", "postgresql://h/db?sslmode=require", "sqlite:///var/lib/a.db",
        "sqlite://:memory:", "not a url", "postgresql://h:5432/db?passwordless=1"}) {
    EXPECT_EQ(RedactUrl(url), url);
  }
}

}  // namespace
}  // namespace actionlog::store
