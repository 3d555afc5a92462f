#include "http/request_id.hpp"

#include <array>
#include <cstdint>
#include <random>

namespace actionlog::http {
namespace {

std::mt19937_64& Generator() {
  thread_local std::mt19937_64 generator([] {
    std::random_device device;
    std::seed_seq seq{device(), device(), device(), device()};
    return std::mt19937_64(seq);
  }());
  return generator;
}

}  // namespace

std::string NewRequestId() {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::uint64_t hi = Generator()();
  std::uint64_t lo = Generator()();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  std::array<char, 40> out{};
  std::size_t n = 0;
  for (const char c : std::string_view("req-")) {
    out[n++] = c;
  }
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) {
      out[n++] = '-';
    }
    const std::uint64_t word = i < 16 ? hi : lo;
    const int shift = 60 - 4 * (i % 16);
    out[n++] = kHex[(word >> static_cast<unsigned>(shift)) & 0xFU];
  }
  return {out.data(), n};
}

}  // namespace actionlog::http
