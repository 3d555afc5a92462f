#include "actionlog/core/time.hpp"

#include "testing/testing.hpp"

namespace actionlog {
namespace {

using ::actionlog::testing::HasError;
using ::actionlog::testing::IsOk;

TEST(TimeTest, StorageRoundTrip) {
  ASSERT_OK_AND_ASSIGN(const Timestamp t, ParseStorageTime("2026-11-24 03:02:48.659346"));
  EXPECT_EQ(FormatStorageTime(t), "2026-11-24 03:02:48.659346");
  EXPECT_EQ(FormatApiTime(t), "2026-11-24T03:02:48.659346");
}

TEST(TimeTest, StorageFormAcceptsShortFractionAndNone) {
  ASSERT_OK_AND_ASSIGN(const Timestamp a, ParseStorageTime("2000-01-01 00:00:00"));
  EXPECT_EQ(a.micros, 946684800LL * 1000000);
  ASSERT_OK_AND_ASSIGN(const Timestamp b, ParseStorageTime("2000-01-01 00:00:00.5"));
  EXPECT_EQ(b.micros - a.micros, 500000);
  EXPECT_EQ(FormatApiTime(a), "2000-01-01T00:00:00.000000");
}

TEST(TimeTest, StorageFormRejectsGarbage) {
  for (const char* bad :
       {"", "2000-01-01", "2000-13-01 00:00:00", "2000-02-30 00:00:00", "2000-01-01 24:00:00",
        "2000-01-01 00:00:00.1234567", "2000-01-01 00:00:00Z", "20x0-01-01 00:00:00"}) {
    EXPECT_THAT(ParseStorageTime(bad), HasError(ErrorCode::kInvalidArgument)) << bad;
  }
}

TEST(TimeTest, EpochEdgesFormat) {
  EXPECT_EQ(FormatApiTime(Timestamp{0}), "1970-01-01T00:00:00.000000");
  EXPECT_EQ(FormatApiTime(Timestamp{-1}), "1969-12-31T23:59:59.999999");
  EXPECT_EQ(FormatApiTime(Timestamp{kMinTimestampMicros}), "0001-01-01T00:00:00.000000");
  EXPECT_EQ(FormatApiTime(Timestamp{kMaxTimestampMicros}), "9999-12-31T23:59:59.999999");
}

// The forms Python's iso8601.parse_date accepts, as Nova's query validation uses it.
TEST(TimeTest, Iso8601AcceptsNovaForms) {
  const std::pair<const char*, const char*> cases[] = {
      {"2000-01-01", "2000-01-01T00:00:00.000000"},
      {"2000", "2000-01-01T00:00:00.000000"},
      {"20000101T000000Z", "2000-01-01T00:00:00.000000"},
      {"2000-01-01 00:00:00", "2000-01-01T00:00:00.000000"},
      {"2000-01-01T10:00:00+05:00", "2000-01-01T05:00:00.000000"},
      {"2000-01-01T00:00:00-05:30", "2000-01-01T05:30:00.000000"},
      {"2000-01-01T00:00:00.5Z", "2000-01-01T00:00:00.500000"},
      {"2000-01-01T00:00:00,1234567Z", "2000-01-01T00:00:00.123456"},
      {"2000-1-2T03Z", "2000-01-02T03:00:00.000000"},
      {"2000-01-01T00:00:00+01", "1999-12-31T23:00:00.000000"},
  };
  for (const auto& [in, want] : cases) {
    auto t = ParseIso8601(in);
    ASSERT_THAT(t, IsOk()) << in;
    EXPECT_EQ(FormatApiTime(*t), want) << in;
  }
}

TEST(TimeTest, Iso8601RejectsWhatPythonRejects) {
  for (const char* bad :
       {"bogus", "200001", "2000-01-01T00:00:00 05:00", "2000-13-01", "2000-01-01T25:00:00",
        "2000-01-01T00:00:60", "0000-01-01", "2000-01-01T00:00:00+24:00", "", "2000-01-01T"}) {
    EXPECT_THAT(ParseIso8601(bad), HasError(ErrorCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace actionlog
