#include "store/postgres/statement.hpp"

#include <bit>
#include <cstring>
#include <utility>

namespace actionlog::store::postgres {
namespace {

// Microseconds from 1970-01-01 (our epoch) to 2000-01-01 (PostgreSQL's).
constexpr std::int64_t kPgEpochMicros = 946684800LL * 1000000;

std::string BigEndian(std::int64_t value) {
  auto bits = static_cast<std::uint64_t>(value);
  if constexpr (std::endian::native == std::endian::little) {
    bits = __builtin_bswap64(bits);
  }
  std::string bytes(sizeof(bits), '\0');
  std::memcpy(bytes.data(), &bits, sizeof(bits));
  return bytes;
}

std::int64_t FromBigEndian(std::string_view bytes) {
  if (bytes.size() == sizeof(std::uint32_t)) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, bytes.data(), sizeof(bits));
    if constexpr (std::endian::native == std::endian::little) {
      bits = __builtin_bswap32(bits);
    }
    return static_cast<std::int32_t>(bits);
  }
  std::uint64_t bits = 0;
  if (bytes.size() == sizeof(bits)) {
    std::memcpy(&bits, bytes.data(), sizeof(bits));
    if constexpr (std::endian::native == std::endian::little) {
      bits = __builtin_bswap64(bits);
    }
  }
  return static_cast<std::int64_t>(bits);
}

}  // namespace

void Params::Push(std::string bytes, bool null) {
  values_.push_back(std::move(bytes));
  lengths_.push_back(null ? -1 : static_cast<int>(values_.back().size()));
  formats_.push_back(1);
  // values_ may have moved its strings: point at them again.
  pointers_.clear();
  for (std::size_t i = 0; i < values_.size(); ++i) {
    pointers_.push_back(lengths_[i] < 0 ? nullptr : values_[i].data());
  }
}

void Params::AddInt(std::int64_t value) { Push(BigEndian(value), false); }

void Params::AddText(std::string_view value) { Push(std::string(value), false); }

void Params::AddText(const std::optional<std::string>& value) {
  if (value.has_value()) {
    AddText(std::string_view(*value));
  } else {
    AddNull();
  }
}

void Params::AddTime(Timestamp value) { Push(BigEndian(value.micros - kPgEpochMicros), false); }

void Params::AddTime(const std::optional<Timestamp>& value) {
  if (value.has_value()) {
    AddTime(*value);
  } else {
    AddNull();
  }
}

void Params::AddNull() { Push(std::string(), true); }

std::string_view ResultRow::Bytes(int column) const {
  return {PQgetvalue(result_, row_, first_ + column),
          static_cast<std::size_t>(PQgetlength(result_, row_, first_ + column))};
}

bool ResultRow::IsNull(int column) const {
  return PQgetisnull(result_, row_, first_ + column) != 0;
}

std::int64_t ResultRow::Int(int column) const {
  return IsNull(column) ? 0 : FromBigEndian(Bytes(column));
}

std::string ResultRow::Text(int column) const { return std::string(Bytes(column)); }

std::optional<std::string> ResultRow::OptText(int column) const {
  if (IsNull(column)) {
    return std::nullopt;
  }
  return Text(column);
}

Timestamp ResultRow::Time(int column) const {
  return Timestamp{FromBigEndian(Bytes(column)) + kPgEpochMicros};
}

std::optional<Timestamp> ResultRow::OptTime(int column) const {
  if (IsNull(column)) {
    return std::nullopt;
  }
  return Time(column);
}

}  // namespace actionlog::store::postgres
