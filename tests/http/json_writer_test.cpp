#include "http/json_writer.hpp"

#include <string>

#include <gtest/gtest.h>

namespace actionlog::http {
namespace {

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(JsonWriterTest, SeparatorsAndOrderAsPythonJsonDumps) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Field("b", "x");
  w.Key("a");
  w.BeginArray();
  w.Int(1);
  w.Null();
  w.Bool(true);
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.EndArray();
  w.Field("t", std::optional<Timestamp>(Timestamp{1}));
  w.EndObject();
  EXPECT_EQ(out, R"({"b": "x", "a": [1, null, true, {}, []], "t": "1970-01-01T00:00:00.000001"})");
}

TEST(JsonWriterTest, EnsureAsciiEscapes) {
  EXPECT_EQ(Quote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Quote("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(Quote(std::string("\x01\x1f\x7f", 3)), R"("\u0001\u001f\u007f")");
  EXPECT_EQ(Quote(std::string("\0", 1)), R"("\u0000")");
  EXPECT_EQ(Quote("caf\xc3\xa9"), R"("caf\u00e9")");
  EXPECT_EQ(Quote("\xe2\x82\xac"), R"("\u20ac")");
  EXPECT_EQ(Quote("\xf0\x9f\x98\x80"), R"("\ud83d\ude00")");
  EXPECT_EQ(Quote("/<>&'"), R"("/<>&'")");
}

TEST(JsonWriterTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(Quote("a\xff"
                  "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(Quote("\xc3"), R"("\ufffd")");
  EXPECT_EQ(Quote("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // a UTF-16 surrogate
}

}  // namespace
}  // namespace actionlog::http

namespace actionlog::http {
namespace {}  // namespace
}  // namespace actionlog::http
