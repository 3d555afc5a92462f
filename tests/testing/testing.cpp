#include "testing/testing.hpp"

#include <cstdlib>
#include <random>

namespace actionlog::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  const std::filesystem::path root = base != nullptr ? base : "/tmp";
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = root / ("actionlog-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::error_code ec;
    if (std::filesystem::create_directory(candidate, ec)) {
      path_ = candidate;
      return;
    }
  }
  std::abort();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace actionlog::testing
