#include "actionlog/core/time.hpp"

#include <algorithm>

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

// Stored times are read through a fast path for the exact form FormatStorageTime writes; it
// must agree with the general parser on every valid time and refuse what that parser refuses.
TEST(TimeTest, CanonicalStorageFormRoundTripsAcrossTheRange) {
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  const std::int64_t span = kMaxTimestampMicros - kMinTimestampMicros + 1;
  for (int i = 0; i < 20000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const Timestamp t{kMinTimestampMicros + static_cast<std::int64_t>(state >> 1) % span};
    const std::string text = FormatStorageTime(t);
    ASSERT_OK_AND_ASSIGN(const Timestamp back, ParseStorageTime(text));
    ASSERT_EQ(back.micros, t.micros) << text;
    // The same day again (the date part is then remembered from the line above).
    const Timestamp later{std::min(t.micros + 1234567, kMaxTimestampMicros)};
    ASSERT_OK_AND_ASSIGN(const Timestamp again, ParseStorageTime(FormatStorageTime(later)));
    ASSERT_EQ(again.micros, later.micros) << FormatStorageTime(later);
  }
  for (const std::int64_t edge : {kMinTimestampMicros, std::int64_t{-1}, std::int64_t{0},
                                  std::int64_t{951782400000000}, kMaxTimestampMicros}) {
    ASSERT_OK_AND_ASSIGN(const Timestamp back, ParseStorageTime(FormatStorageTime({edge})));
    EXPECT_EQ(back.micros, edge);
  }
}

TEST(TimeTest, CanonicalStorageFormRejectsGarbage) {
  // The date part of the last good time is remembered: what follows it must still be checked.
  ASSERT_THAT(ParseStorageTime("2000-01-01 00:00:00.000000"), IsOk());
  for (const char* bad :
       {"0000-01-01 00:00:00.000000", "2001-02-29 00:00:00.000000", "2000-00-10 00:00:00.000000",
        "2000-01-00 00:00:00.000000", "2000-01-01 23:60:00.000000", "2000-01-01 23:00:60.000000",
        "2000-01-01 00:00:00.00000x", "2000-01-01 00:00:00:000000", "+200-01-01 00:00:00.000000",
        "2000-01-01 0 :00:00.000000", "2000-01-01T00:00:00.000000Z"}) {
    EXPECT_THAT(ParseStorageTime(bad), HasError(ErrorCode::kInvalidArgument)) << bad;
  }
  ASSERT_OK_AND_ASSIGN(const Timestamp leap, ParseStorageTime("2000-02-29 23:59:59.999999"));
  EXPECT_EQ(FormatStorageTime(leap), "2000-02-29 23:59:59.999999");
}

// Formatting remembers the last day's date per thread: a new day must never show the old date.
TEST(TimeTest, FormattingAcrossDayBoundaries) {
  constexpr std::int64_t kLastMicroOfLeapDay2000 = 951868799999999;  // 2000-02-29 23:59:59.999999
  EXPECT_EQ(FormatStorageTime({kLastMicroOfLeapDay2000}), "2000-02-29 23:59:59.999999");
  EXPECT_EQ(FormatStorageTime({kLastMicroOfLeapDay2000 + 1}), "2000-03-01 00:00:00.000000");
  EXPECT_EQ(FormatApiTime({kLastMicroOfLeapDay2000}), "2000-02-29T23:59:59.999999");
  EXPECT_EQ(FormatApiTime({0}), "1970-01-01T00:00:00.000000");
  EXPECT_EQ(FormatApiTime({-1}), "1969-12-31T23:59:59.999999");
  EXPECT_EQ(FormatApiTime({0}), "1970-01-01T00:00:00.000000");
  std::string out = "x";
  AppendApiTime(out, {kLastMicroOfLeapDay2000 + 1});
  AppendStorageTime(out, {kLastMicroOfLeapDay2000});
  EXPECT_EQ(out, "x2000-03-01T00:00:00.0000002000-02-29 23:59:59.999999");
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
