#include "actionlog/core/change_log.hpp"

#include <array>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/evp.h>

namespace actionlog {
namespace {

boost::json::value Opt(const std::optional<std::string>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

boost::json::value Opt(const std::optional<Timestamp>& v) {
  return v ? boost::json::value(FormatStorageTime(*v)) : boost::json::value(nullptr);
}

std::string Hex(const unsigned char* data, unsigned int size) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out(static_cast<std::size_t>(size) * 2U, '0');
  for (unsigned int i = 0; i < size; ++i) {
    out[2 * std::size_t{i}] = kDigits[data[i] >> 4];
    out[2 * std::size_t{i} + 1] = kDigits[data[i] & 0xF];
  }
  return out;
}

std::string Digest(const EVP_MD* md, std::string_view a, std::string_view b) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ACTIONLOG_CHECK(ctx != nullptr);
  const bool ok = EVP_DigestInit_ex(ctx, md, nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, a.data(), a.size()) == 1 &&
                  EVP_DigestUpdate(ctx, b.data(), b.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, out.data(), &size) == 1;
  EVP_MD_CTX_free(ctx);
  ACTIONLOG_CHECK(ok);
  return Hex(out.data(), size);
}

}  // namespace

std::string RowImage(const Instance& row) {
  boost::json::object o;
  o["id"] = row.id;
  o["uuid"] = row.uuid;
  o["project_id"] = Opt(row.project_id);
  o["user_id"] = Opt(row.user_id);
  o["host"] = Opt(row.host);
  o["display_name"] = Opt(row.display_name);
  o["created_at"] = Opt(row.created_at);
  o["updated_at"] = Opt(row.updated_at);
  o["deleted_at"] = Opt(row.deleted_at);
  o["deleted"] = row.deleted;
  o["version"] = row.version;
  return boost::json::serialize(o);
}

std::string RowImage(const Action& row) {
  boost::json::object o;
  o["id"] = row.id;
  o["action"] = Opt(row.action);
  o["instance_uuid"] = row.instance_uuid;
  o["request_id"] = row.request_id;
  o["user_id"] = Opt(row.user_id);
  o["project_id"] = Opt(row.project_id);
  o["created_at"] = Opt(row.created_at);
  o["updated_at"] = Opt(row.updated_at);
  o["deleted_at"] = Opt(row.deleted_at);
  o["start_time"] = Opt(row.start_time);
  o["finish_time"] = Opt(row.finish_time);
  o["message"] = Opt(row.message);
  o["deleted"] = row.deleted;
  o["version"] = row.version;
  return boost::json::serialize(o);
}

std::string RowImage(const Event& row) {
  boost::json::object o;
  o["id"] = row.id;
  o["action_id"] = row.action_id;
  o["event"] = row.event;
  o["created_at"] = Opt(row.created_at);
  o["updated_at"] = Opt(row.updated_at);
  o["deleted_at"] = Opt(row.deleted_at);
  o["start_time"] = Opt(row.start_time);
  o["finish_time"] = Opt(row.finish_time);
  o["result"] = Opt(row.result);
  o["traceback"] = Opt(row.traceback);
  o["host"] = Opt(row.host);
  o["details"] = Opt(row.details);
  o["deleted"] = row.deleted;
  o["version"] = row.version;
  return boost::json::serialize(o);
}

std::string CanonicalBytes(const ChangeEntry& entry) {
  boost::json::object o;
  o["seq"] = entry.seq;
  o["recorded_at"] = FormatStorageTime(entry.recorded_at);
  o["actor_user"] = entry.actor_user;
  o["actor_project"] = entry.actor_project;
  o["actor_service"] = entry.actor_service;
  o["operation"] = entry.operation;
  o["entity"] = entry.entity;
  o["entity_id"] = entry.entity_id;
  o["entity_version"] = entry.entity_version;
  o["instance_uuid"] = entry.instance_uuid;
  o["request_id"] = entry.request_id;
  o["event"] = entry.event;
  o["row"] = entry.row;
  return boost::json::serialize(o);
}

std::string ChainHash(std::string_view prev_hash, const ChangeEntry& entry) {
  return Digest(EVP_sha256(), prev_hash, CanonicalBytes(entry));
}

std::string Sha256Hex(std::string_view data) { return Digest(EVP_sha256(), data, {}); }

std::string Sha224Hex(std::string_view data) { return Digest(EVP_sha224(), data, {}); }

}  // namespace actionlog
