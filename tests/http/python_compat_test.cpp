#include "http/python_compat.hpp"

#include <gtest/gtest.h>

namespace actionlog::http {
namespace {

TEST(PyReprTest, QuotesLikePython) {
  EXPECT_EQ(PyRepr("abc"), "'abc'");
  EXPECT_EQ(PyRepr(""), "''");
  EXPECT_EQ(PyRepr("it's"), "\"it's\"");
  EXPECT_EQ(PyRepr("a'b\"c"), "'a\\'b\"c'");
  EXPECT_EQ(PyRepr("a\\b"), "'a\\\\b'");
  EXPECT_EQ(PyRepr("x\ny\tz"), "'x\\ny\\tz'");
  EXPECT_EQ(PyRepr(std::string("\0\x7f", 2)), "'\\x00\\x7f'");
  EXPECT_EQ(PyRepr("caf\xc3\xa9"), "'caf\xc3\xa9'");
  EXPECT_EQ(PyRepr("\xc2\xa0"), "'\\xa0'");
  EXPECT_EQ(PyRepr("\xe2\x80\x8b"), "'\\u200b'");
}

TEST(PyReprTest, Lists) {
  EXPECT_EQ(PyReprList({"2", "3"}), "['2', '3']");
  EXPECT_EQ(PyReprList({}), "[]");
}

TEST(PercentTest, DecodeKeepsMalformedEscapes) {
  EXPECT_EQ(PercentDecode("a%3Ab%2f"), "a:b/");
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(PercentDecode("%"), "%");
}

TEST(PercentTest, QuotePlus) {
  std::string out;
  AppendQuotePlus(out, "2000-01-01T00:00:00+01:00 x~_.-/");
  EXPECT_EQ(out, "2000-01-01T00%3A00%3A00%2B01%3A00+x~_.-%2F");
}

TEST(QueryStringTest, ParsesAsWebOb) {
  bool utf8_ok = false;
  const auto params = ParseQueryString("a=1&&b=x+y;c&limit=%205&d=%E2%82%AC", utf8_ok);
  EXPECT_TRUE(utf8_ok);
  ASSERT_EQ(params.size(), 5U);
  EXPECT_EQ(params[0].key, "a");
  EXPECT_EQ(params[1].value, "x y");
  EXPECT_EQ(params[2].key, "c");
  EXPECT_EQ(params[2].value, "");
  EXPECT_EQ(params[3].value, " 5");
  EXPECT_EQ(params[4].value, "\xe2\x82\xac");
  ParseQueryString("a=%FF", utf8_ok);
  EXPECT_FALSE(utf8_ok);
}

}  // namespace
}  // namespace actionlog::http
