#include "actionlog/core/change_log.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/evp.h>

namespace actionlog {
namespace {

// The canonical form of row images and change-log entries: compact JSON, keys in a fixed order,
// strings escaped as Boost.JSON's serializer escapes them (", \\, \b \f \n \r \t, other control
// bytes as \u00xx; every other byte as is). It is written directly rather than through a JSON
// DOM because it is built for every change; tests/core/change_log_test.cpp pins it byte for byte
// to Boost.JSON's serialization, so hashes recorded by any version stay verifiable.
class Canonical {
 public:
  explicit Canonical(std::size_t reserve) { out_.reserve(reserve); }

  Canonical& Field(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
    return *this;
  }

  Canonical& Field(std::string_view key, const std::string& value) {
    return Field(key, std::string_view(value));
  }

  Canonical& Field(std::string_view key, std::int64_t value) {
    Key(key);
    std::array<char, 24> buf{};
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
    out_.append(buf.data(), end);
    return *this;
  }

  Canonical& Field(std::string_view key, const std::optional<std::string>& value) {
    Key(key);
    if (value) {
      String(*value);
    } else {
      out_ += "null";
    }
    return *this;
  }

  Canonical& Field(std::string_view key, const std::optional<Timestamp>& value) {
    Key(key);
    if (value) {
      String(FormatStorageTime(*value));
    } else {
      out_ += "null";
    }
    return *this;
  }

  // Entries written before parent_row existed have no such key, so their bytes (and hashes)
  // are unchanged.
  Canonical& FieldIfNotEmpty(std::string_view key, std::string_view value) {
    return value.empty() ? *this : Field(key, value);
  }

  std::string Finish() {
    out_ += '}';
    return std::move(out_);
  }

 private:
  void Key(std::string_view key) {
    out_ += out_.empty() ? '{' : ',';
    String(key);
    out_ += ':';
  }

  void String(std::string_view value) {
    static constexpr std::string_view kHex = "0123456789abcdef";
    out_ += '"';
    std::size_t run = 0;  // start of the bytes not yet copied
    for (std::size_t i = 0; i < value.size(); ++i) {
      const auto c = static_cast<unsigned char>(value[i]);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out_.append(value.data() + run, i - run);
      run = i + 1;
      out_ += '\\';
      switch (c) {
        case '"':
          out_ += '"';
          break;
        case '\\':
          out_ += '\\';
          break;
        case '\b':
          out_ += 'b';
          break;
        case '\f':
          out_ += 'f';
          break;
        case '\n':
          out_ += 'n';
          break;
        case '\r':
          out_ += 'r';
          break;
        case '\t':
          out_ += 't';
          break;
        default:
          out_ += "u00";
          out_ += kHex[c >> 4U];
          out_ += kHex[c & 0xFU];
      }
    }
    out_.append(value.data() + run, value.size() - run);
    out_ += '"';
  }

  std::string out_;
};

std::string Hex(const unsigned char* data, unsigned int size) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out(static_cast<std::size_t>(size) * 2U, '0');
  for (unsigned int i = 0; i < size; ++i) {
    out[2 * std::size_t{i}] = kDigits[data[i] >> 4];
    out[2 * std::size_t{i} + 1] = kDigits[data[i] & 0xF];
  }
  return out;
}

// The digest implementations, fetched from the default provider once: OpenSSL 3 otherwise
// looks the implementation up again on every EVP_DigestInit_ex. Never freed (process lifetime).
const EVP_MD* Sha256() {
  static const EVP_MD* const kMd = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  ACTIONLOG_CHECK(kMd != nullptr);
  return kMd;
}

const EVP_MD* Sha224() {
  static const EVP_MD* const kMd = EVP_MD_fetch(nullptr, "SHA224", nullptr);
  ACTIONLOG_CHECK(kMd != nullptr);
  return kMd;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

std::string Digest(const EVP_MD* md, std::string_view a, std::string_view b) {
  // One context per thread, re-initialized for each digest: allocating and freeing one per
  // change-log entry cost more than hashing the entry.
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxFree> context(EVP_MD_CTX_new());
  ACTIONLOG_CHECK(context != nullptr);
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  const bool ok = EVP_DigestInit_ex(context.get(), md, nullptr) == 1 &&
                  EVP_DigestUpdate(context.get(), a.data(), a.size()) == 1 &&
                  EVP_DigestUpdate(context.get(), b.data(), b.size()) == 1 &&
                  EVP_DigestFinal_ex(context.get(), out.data(), &size) == 1;
  ACTIONLOG_CHECK(ok);
  return Hex(out.data(), size);
}

}  // namespace

std::string RowImage(const Instance& row) {
  return Canonical(256)
      .Field("id", row.id)
      .Field("uuid", row.uuid)
      .Field("project_id", row.project_id)
      .Field("user_id", row.user_id)
      .Field("host", row.host)
      .Field("display_name", row.display_name)
      .Field("created_at", row.created_at)
      .Field("updated_at", row.updated_at)
      .Field("deleted_at", row.deleted_at)
      .Field("deleted", row.deleted)
      .Field("version", row.version)
      .Finish();
}

std::string RowImage(const Action& row) {
  return Canonical(384)
      .Field("id", row.id)
      .Field("action", row.action)
      .Field("instance_uuid", row.instance_uuid)
      .Field("request_id", row.request_id)
      .Field("user_id", row.user_id)
      .Field("project_id", row.project_id)
      .Field("created_at", row.created_at)
      .Field("updated_at", row.updated_at)
      .Field("deleted_at", row.deleted_at)
      .Field("start_time", row.start_time)
      .Field("finish_time", row.finish_time)
      .Field("message", row.message)
      .Field("deleted", row.deleted)
      .Field("version", row.version)
      .Finish();
}

std::string RowImage(const Event& row) {
  const std::size_t big =
      (row.traceback ? row.traceback->size() : 0) + (row.details ? row.details->size() : 0);
  return Canonical(384 + big + big / 8)
      .Field("id", row.id)
      .Field("action_id", row.action_id)
      .Field("event", row.event)
      .Field("created_at", row.created_at)
      .Field("updated_at", row.updated_at)
      .Field("deleted_at", row.deleted_at)
      .Field("start_time", row.start_time)
      .Field("finish_time", row.finish_time)
      .Field("result", row.result)
      .Field("traceback", row.traceback)
      .Field("host", row.host)
      .Field("details", row.details)
      .Field("deleted", row.deleted)
      .Field("version", row.version)
      .Finish();
}

std::string CanonicalBytes(const ChangeEntry& entry) {
  const std::size_t rows = entry.row.size() + entry.parent_row.size();
  return Canonical(384 + rows + rows / 8)
      .Field("seq", entry.seq)
      .Field("recorded_at", FormatStorageTime(entry.recorded_at))
      .Field("actor_user", entry.actor_user)
      .Field("actor_project", entry.actor_project)
      .Field("actor_service", entry.actor_service)
      .Field("operation", entry.operation)
      .Field("entity", entry.entity)
      .Field("entity_id", entry.entity_id)
      .Field("entity_version", entry.entity_version)
      .Field("instance_uuid", entry.instance_uuid)
      .Field("request_id", entry.request_id)
      .Field("event", entry.event)
      .Field("row", entry.row)
      .FieldIfNotEmpty("parent_row", entry.parent_row)
      .Finish();
}

std::string ChainHash(std::string_view prev_hash, const ChangeEntry& entry) {
  return Digest(Sha256(), prev_hash, CanonicalBytes(entry));
}

std::string Sha256Hex(std::string_view data) { return Digest(Sha256(), data, {}); }

std::string Sha224Hex(std::string_view data) { return Digest(Sha224(), data, {}); }

}  // namespace actionlog
