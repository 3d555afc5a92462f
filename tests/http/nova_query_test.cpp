#include "http/nova_query.hpp"

#include <gtest/gtest.h>

namespace actionlog::http {
namespace {

constexpr ApiVersion k258{2, 58};
constexpr ApiVersion k266{2, 66};

std::string ErrorOf(std::string_view query, ApiVersion v = k266) {
  bool ok = true;
  auto params = ParseQueryString(query, ok);
  auto q = ParseIndexQuery(params, ok, v, 1000);
  return q ? std::string("OK") : q.error().message;
}

TEST(NovaQueryTest, NovaMessages) {
  EXPECT_EQ(ErrorOf("limit=-1"),
            "Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'");
  EXPECT_EQ(ErrorOf("limit="),
            "Invalid input for query parameters limit. Value: . '' is too short");
  EXPECT_EQ(ErrorOf("limit=2&limit=3"),
            "Invalid input for query parameters limit. Value: ['2', '3']. ['2', '3'] is too long");
  EXPECT_EQ(ErrorOf("limit=a&limit=3"),
            "Invalid input for query parameters limit. Value: a. 'a' does not match '^[0-9]*$'");
  EXPECT_EQ(ErrorOf("foo=bar"), "Additional properties are not allowed ('foo' was unexpected)");
  EXPECT_EQ(ErrorOf("foo=1&bar=2"),
            "Additional properties are not allowed ('foo', 'bar' were unexpected)");
  EXPECT_EQ(ErrorOf("changes-since=2026-11-24T03:36:51.808719+00:00"),
            "Invalid input for query parameters changes-since. Value: 2026-11-24T03:36:51.808719 "
            "00:00. '2026-11-24T03:36:51.808719 00:00' is not a 'date-time'");
  EXPECT_EQ(ErrorOf("changes-before=2026-01-01", k258),
            "Additional properties are not allowed ('changes-before' was unexpected)");
  EXPECT_EQ(ErrorOf("foo=1&limit=x"),
            "Invalid input for query parameters limit. Value: x. 'x' does not match '^[0-9]*$'");
  EXPECT_EQ(ErrorOf("a=%FF"), "Query string is not UTF-8 encoded");
  EXPECT_EQ(ErrorOf("limit=07&marker=m&changes-since=2026-01-01&changes-before=2027-01-01"), "OK");
}

TEST(NovaQueryTest, LimitClampingAndWindow) {
  bool ok = true;
  auto q = ParseIndexQuery(ParseQueryString("limit=99999999999999999999", ok), ok, k258, 1000);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->limit, 1000);
  q = ParseIndexQuery(ParseQueryString("", ok), ok, k258, 1000);
  ASSERT_TRUE(q);
  EXPECT_FALSE(q->limit_given);
  EXPECT_EQ(q->limit, 1000);
  q = ParseIndexQuery(ParseQueryString("changes-since=2026-01-02&changes-before=2026-01-01", ok),
                      ok, k266, 1000);
  ASSERT_TRUE(q);
  EXPECT_FALSE(CheckTimeWindow(*q));
  EXPECT_EQ(CheckTimeWindow(*q).error().message,
            "The value of changes-since must be less than or equal to changes-before.");
}

TEST(NovaQueryTest, NextLinkSortsAndQuotes) {
  bool ok = true;
  auto params = ParseQueryString("marker=old&limit=07&changes-since=2000-01-01T00%3A00%3A00Z", ok);
  EXPECT_EQ(BuildNextLink("http://h:1/v2.1", "srv", params, "req-1"),
            "http://h:1/v2.1/servers/srv/os-instance-actions?changes-since=2000-01-01T00%3A00%3A00Z"
            "&limit=07&marker=req-1");
  EXPECT_EQ(BuildNextLink("http://h/v2.1/p", "s", {}, "r"),
            "http://h/v2.1/p/servers/s/os-instance-actions?marker=r");
}

}  // namespace
}  // namespace actionlog::http
