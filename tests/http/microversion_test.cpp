#include "http/microversion.hpp"

#include <gtest/gtest.h>

namespace actionlog::http {
namespace {

using Lines = std::vector<std::string_view>;

TEST(MicroversionTest, DefaultAndLatest) {
  auto v = NegotiateVersion({}, {});
  EXPECT_EQ(v.outcome, VersionOutcome::kOk);
  EXPECT_EQ(v.echo, "2.1");
  v = NegotiateVersion(Lines{"compute latest"}, {});
  EXPECT_EQ(v.echo, "2.93");
  EXPECT_EQ(v.version, kMaxApiVersion);
  v = NegotiateVersion({}, Lines{"latest"});
  EXPECT_EQ(v.echo, "2.93");
}

TEST(MicroversionTest, StandardHeaderWinsAndScansFromTheRight) {
  auto v = NegotiateVersion(Lines{"compute 2.62"}, Lines{"2.21"});
  EXPECT_EQ(v.echo, "2.62");
  v = NegotiateVersion(Lines{"volume 3.0, compute 2.62"}, {});
  EXPECT_EQ(v.echo, "2.62");
  v = NegotiateVersion(Lines{"compute 2.5, compute 2.60"}, {});
  EXPECT_EQ(v.echo, "2.60");
  v = NegotiateVersion(Lines{"COMPUTE 2.62"}, {});
  EXPECT_EQ(v.version.minor, 62);
  v = NegotiateVersion(Lines{"volume 3.0"}, {});
  EXPECT_EQ(v.echo, "2.1");
  v = NegotiateVersion(Lines{"volume 3.0"}, Lines{"2.58"});
  EXPECT_EQ(v.echo, "2.58");
  v = NegotiateVersion(Lines{"volume 3.0", "compute 2.70"}, {});
  EXPECT_EQ(v.echo, "2.70");
}

TEST(MicroversionTest, InvalidFormatsAre400) {
  for (const std::string_view bad : {"abc", "2", "2.058", "02.5", "2.", ".5", "2.5.1", ""}) {
    const auto v = NegotiateVersion({}, Lines{bad});
    EXPECT_EQ(v.outcome, VersionOutcome::kInvalid) << bad;
    EXPECT_EQ(v.message, "API Version String " + std::string(bad) +
                             " is of invalid format. Must be of format MajorNum.MinorNum.");
  }
}

TEST(MicroversionTest, OutOfRangeIs406AndEchoes) {
  for (const std::string_view bad : {"2.94", "2.0", "3.0", "1.5", "2.99999999999999999999"}) {
    const auto v = NegotiateVersion(Lines{"compute " + std::string(bad)}, {});
    EXPECT_EQ(v.outcome, VersionOutcome::kUnsupported) << bad;
    EXPECT_EQ(v.echo, bad);
    EXPECT_EQ(v.message, "Version " + std::string(bad) +
                             " is not supported by the API. Minimum is 2.1 and maximum is 2.93.");
  }
}

}  // namespace
}  // namespace actionlog::http
