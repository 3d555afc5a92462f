// Fuzzes timestamp parsing (src/core/time.cpp): Nova's storage form and ISO 8601.
//
// Input: the text to parse; its first 8 bytes are also read as a time to format.
// Properties:
//   - a parsed time is within [kMinTimestampMicros, kMaxTimestampMicros];
//   - format(parse(x)) re-parses to the same value, in both forms and with both parsers;
//   - a canonical storage text (26 bytes) formats back to itself;
//   - every storage-form text ISO 8601 accepts too, with the same value;
//   - any time in range formats to 26 bytes that parse back to it.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "actionlog/core/time.hpp"
#include "fuzz_support.hpp"

namespace actionlog::fuzz {
namespace {

void CheckRoundTrip(Timestamp t, std::string_view input) {
  Check(t.micros >= kMinTimestampMicros && t.micros <= kMaxTimestampMicros,
        "parsed time out of range", input);
  const std::string storage = FormatStorageTime(t);
  const std::string api = FormatApiTime(t);
  Check(storage.size() == 26 && api.size() == 26, "formatted time length", storage);
  for (const std::string& text : {storage, api}) {
    auto s = ParseStorageTime(text);
    Check(s && *s == t, "storage parse of a formatted time", text);
    auto i = ParseIso8601(text);
    Check(i && *i == t, "ISO 8601 parse of a formatted time", text);
  }
}

}  // namespace
}  // namespace actionlog::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace actionlog;        // NOLINT(google-build-using-namespace)
  using namespace actionlog::fuzz;  // NOLINT(google-build-using-namespace)
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (auto t = ParseStorageTime(input)) {
    CheckRoundTrip(*t, input);
    if (input.size() == 26 && input[10] == ' ') {
      Check(FormatStorageTime(*t) == input, "canonical storage text does not round-trip", input);
    }
    auto iso = ParseIso8601(input);
    Check(iso && *iso == *t, "storage form refused or read differently by ISO 8601", input);
  } else {
    Check(t.error().code == ErrorCode::kInvalidArgument, "storage parse error code");
  }
  if (auto t = ParseIso8601(input)) {
    CheckRoundTrip(*t, input);
  } else {
    Check(t.error().code == ErrorCode::kInvalidArgument, "ISO 8601 parse error code");
  }

  if (size >= sizeof(std::int64_t)) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, data, sizeof(bits));
    constexpr auto kSpan = static_cast<std::uint64_t>(kMaxTimestampMicros - kMinTimestampMicros);
    const auto micros = static_cast<std::int64_t>(bits % (kSpan + 1)) + kMinTimestampMicros;
    CheckRoundTrip(Timestamp{micros}, "time from the first 8 bytes");
  }
  return 0;
}
