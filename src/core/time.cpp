#include "actionlog/core/time.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <optional>
#include <regex>

namespace actionlog {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1000000;
constexpr std::int64_t kSecondsPerDay = 86400;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
constexpr std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (era * 146097) + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

constexpr Civil CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

bool IsLeap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(std::int64_t y, unsigned m) {
  constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays.at(m - 1);
}

struct Fields {
  std::int64_t year = 1;
  unsigned month = 1;
  unsigned day = 1;
  unsigned hour = 0;
  unsigned minute = 0;
  unsigned second = 0;
  std::int64_t micros = 0;
};

Result<Timestamp> FromFields(const Fields& f, std::string_view text) {
  if (f.year < 1 || f.year > 9999 || f.month < 1 || f.month > 12 || f.day < 1 ||
      f.day > DaysInMonth(f.year, f.month) || f.hour > 23 || f.minute > 59 || f.second > 59) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "timestamp out of range: '" + std::string(text) + "'");
  }
  const std::int64_t days = DaysFromCivil(f.year, f.month, f.day);
  const std::int64_t secs = (days * kSecondsPerDay) + (std::int64_t{f.hour} * 3600) +
                            (std::int64_t{f.minute} * 60) + f.second;
  return Timestamp{secs * kMicrosPerSecond + f.micros};
}

bool ParseDigits(std::string_view s, std::int64_t& out) {
  if (s.empty()) {
    return false;
  }
  out = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') {
      return false;
    }
    out = out * 10 + (c - '0');
  }
  return true;
}

// Fraction digits -> microseconds, truncating past 6 digits (as Python's Decimal path does).
std::int64_t FractionMicros(std::string_view digits) {
  std::int64_t value = 0;
  for (std::size_t i = 0; i < 6; ++i) {
    value = value * 10 + (i < digits.size() ? digits[i] - '0' : 0);
  }
  return value;
}

class SystemClock final : public Clock {
 public:
  Timestamp Now() override {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(now).count()};
  }
};

std::atomic<Clock*> g_clock_override{nullptr};

// The civil date of a day number, remembered per thread for the last day asked: the times of
// one response or one page of rows mostly fall on the same day.
Civil CachedCivilFromDays(std::int64_t days) {
  thread_local std::int64_t cached_days = 0;
  thread_local Civil cached = CivilFromDays(0);
  if (days != cached_days) {
    cached = CivilFromDays(days);
    cached_days = days;
  }
  return cached;
}

template <std::size_t Width>
void PutDigits(char* out, std::int64_t value) {
  for (std::size_t i = Width; i-- > 0;) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// Appends "YYYY-MM-DD?HH:MM:SS.ffffff" with `separator` at '?' (this runs for every time
// stored or served, so it is written digit by digit into one append).
void AppendTime(std::string& out, Timestamp t, char separator) {
  std::int64_t micros = t.micros % kMicrosPerSecond;
  std::int64_t secs = t.micros / kMicrosPerSecond;
  if (micros < 0) {
    micros += kMicrosPerSecond;
    secs -= 1;
  }
  std::int64_t days = secs / kSecondsPerDay;
  std::int64_t sod = secs % kSecondsPerDay;
  if (sod < 0) {
    sod += kSecondsPerDay;
    days -= 1;
  }
  const Civil c = CachedCivilFromDays(days);
  std::array<char, 26> buf{};
  char* p = buf.data();
  PutDigits<4>(p, c.year);
  p[4] = '-';
  PutDigits<2>(p + 5, c.month);
  p[7] = '-';
  PutDigits<2>(p + 8, c.day);
  p[10] = separator;
  PutDigits<2>(p + 11, sod / 3600);
  p[13] = ':';
  PutDigits<2>(p + 14, (sod / 60) % 60);
  p[16] = ':';
  PutDigits<2>(p + 17, sod % 60);
  p[19] = '.';
  PutDigits<6>(p + 20, micros);
  out.append(buf.data(), buf.size());
}

}  // namespace

void AppendStorageTime(std::string& out, Timestamp t) { AppendTime(out, t, ' '); }

void AppendApiTime(std::string& out, Timestamp t) { AppendTime(out, t, 'T'); }

std::string FormatStorageTime(Timestamp t) {
  std::string out;
  AppendStorageTime(out, t);
  return out;
}

std::string FormatApiTime(Timestamp t) {
  std::string out;
  AppendApiTime(out, t);
  return out;
}

namespace {

// The value of the `Count` digits at `p`, or -1 when one of them is not a digit.
template <std::size_t Count>
std::int64_t FixedDigits(const char* p) {
  std::int64_t value = 0;
  bool ok = true;
  for (std::size_t i = 0; i < Count; ++i) {
    const auto digit = static_cast<unsigned>(static_cast<unsigned char>(p[i]) - '0');
    ok &= digit <= 9;
    value = value * 10 + digit;
  }
  return ok ? value : -1;
}

// The form every stored time has ("YYYY-MM-DD HH:MM:SS.ffffff", as FormatStorageTime writes
// it), parsed without the general path's branches; nullopt sends anything else to that path.
std::optional<Timestamp> ParseCanonicalStorageTime(std::string_view text) {
  if (text.size() != 26 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' ||
      text[16] != ':' || text[19] != '.') {
    return std::nullopt;
  }
  const char* p = text.data();
  // The date of the last time parsed on this thread, and its day number: the rows of one
  // page or one action mostly share a day.
  thread_local std::array<char, 10> cached_date = {'1', '9', '7', '0', '-',
                                                   '0', '1', '-', '0', '1'};
  thread_local std::int64_t cached_days = 0;
  std::int64_t days = cached_days;
  if (std::memcmp(p, cached_date.data(), cached_date.size()) != 0) {
    const std::int64_t year = FixedDigits<4>(p);
    const std::int64_t month = FixedDigits<2>(p + 5);
    const std::int64_t day = FixedDigits<2>(p + 8);
    if (year < 1 || month < 1 || month > 12 || day < 1 ||
        day > DaysInMonth(year, static_cast<unsigned>(month))) {
      return std::nullopt;
    }
    days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    std::memcpy(cached_date.data(), p, cached_date.size());
    cached_days = days;
  }
  const std::int64_t hour = FixedDigits<2>(p + 11);
  const std::int64_t minute = FixedDigits<2>(p + 14);
  const std::int64_t second = FixedDigits<2>(p + 17);
  const std::int64_t micros = FixedDigits<6>(p + 20);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 ||
      micros < 0) {
    return std::nullopt;
  }
  const std::int64_t secs = (days * kSecondsPerDay) + (hour * 3600) + (minute * 60) + second;
  return Timestamp{secs * kMicrosPerSecond + micros};
}

}  // namespace

Result<Timestamp> ParseStorageTime(std::string_view text) {
  if (const std::optional<Timestamp> fast = ParseCanonicalStorageTime(text)) {
    return *fast;
  }
  // YYYY-MM-DD HH:MM:SS[.f{1,6}]
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument, "invalid timestamp '" + std::string(text) +
                                                      "': expected YYYY-MM-DD HH:MM:SS[.ffffff]");
  };
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' ||
      (text[10] != ' ' && text[10] != 'T') || text[13] != ':' || text[16] != ':') {
    return bad();
  }
  Fields f;
  std::int64_t v = 0;
  if (!ParseDigits(text.substr(0, 4), f.year) || !ParseDigits(text.substr(5, 2), v)) {
    return bad();
  }
  f.month = static_cast<unsigned>(v);
  if (!ParseDigits(text.substr(8, 2), v)) {
    return bad();
  }
  f.day = static_cast<unsigned>(v);
  if (!ParseDigits(text.substr(11, 2), v)) {
    return bad();
  }
  f.hour = static_cast<unsigned>(v);
  if (!ParseDigits(text.substr(14, 2), v)) {
    return bad();
  }
  f.minute = static_cast<unsigned>(v);
  if (!ParseDigits(text.substr(17, 2), v)) {
    return bad();
  }
  f.second = static_cast<unsigned>(v);
  if (text.size() > 19) {
    const std::string_view frac = text.substr(20);
    if (text[19] != '.' || frac.empty() || frac.size() > 6 || !ParseDigits(frac, v)) {
      return bad();
    }
    f.micros = FractionMicros(frac);
  }
  return FromFields(f, text);
}

Result<Timestamp> ParseIso8601(std::string_view text) {
  // The grammar of Python's iso8601 1.x (ISO8601_REGEX), group for group.
  static const std::regex kIso8601(
      "([0-9]{4})((-([0-9]{1,2})|([0-9]{2})(?!$))((-([0-9]{1,2})|([0-9]{2}))"
      "(([ T])([0-9]{2})(:?([0-9]{2}))?(:?([0-9]{1,2})([.,]([0-9]+))?)?"
      "(Z|(([-+])([0-9]{2}):?([0-9]{2})?))?)?)?)?",
      std::regex::ECMAScript | std::regex::optimize);
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid ISO 8601 timestamp '" + std::string(text) + "'");
  };
  std::string_view body = text;
  if (body.ends_with('\n')) {
    body.remove_suffix(1);  // Python's '$' also matches before one final newline
  }
  if (body.size() > 64) {
    return bad();
  }
  std::cmatch m;
  if (!std::regex_match(body.begin(), body.end(), m, kIso8601)) {
    return bad();
  }
  auto num = [&](std::size_t group, std::int64_t fallback) {
    std::int64_t v = fallback;
    if (m[group].matched) {
      ParseDigits(std::string_view(m[group].first, static_cast<std::size_t>(m[group].length())), v);
    }
    return v;
  };
  Fields f;
  f.year = num(1, 0);
  f.month = static_cast<unsigned>(m[5].matched ? num(5, 1) : num(4, 1));
  f.day = static_cast<unsigned>(m[9].matched ? num(9, 1) : num(8, 1));
  f.hour = static_cast<unsigned>(num(12, 0));
  f.minute = static_cast<unsigned>(num(14, 0));
  f.second = static_cast<unsigned>(num(16, 0));
  if (m[18].matched) {
    f.micros =
        FractionMicros(std::string_view(m[18].first, static_cast<std::size_t>(m[18].length())));
  }
  ACTIONLOG_ASSIGN_OR_RETURN(Timestamp local, FromFields(f, text));
  std::int64_t offset_minutes = 0;
  if (m[21].matched) {
    offset_minutes = num(22, 0) * 60 + num(23, 0);
    if (offset_minutes >= std::int64_t{24} * 60) {
      return bad();
    }
    if (*m[21].first == '-') {
      offset_minutes = -offset_minutes;
    }
  }
  const Timestamp utc{local.micros - offset_minutes * 60 * kMicrosPerSecond};
  if (utc.micros < kMinTimestampMicros || utc.micros > kMaxTimestampMicros) {
    return bad();
  }
  return utc;
}

Clock& Clock::Default() {
  static SystemClock system_clock;
  Clock* override_clock = g_clock_override.load(std::memory_order_acquire);
  return override_clock != nullptr ? *override_clock : system_clock;
}

void Clock::SetDefaultForTesting(Clock* clock) {
  g_clock_override.store(clock, std::memory_order_release);
}

}  // namespace actionlog
