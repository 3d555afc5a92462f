// Helpers for the HTTP tests: a Journal on SQLite in memory, a Service over it, and requests
// built as the network layer would hand them over.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "actionlog/core/journal.hpp"
#include "http/http_types.hpp"
#include "http/service.hpp"

namespace actionlog::http::testing {

// Identities of the auth matrix, as noauth tokens "user:project:roles".
inline constexpr std::string_view kAdmin = "root:adminproj:admin,member,reader";
inline constexpr std::string_view kOwnerMember = "alice:projA:member,reader";
inline constexpr std::string_view kOwnerReader = "dave:projA:reader";
inline constexpr std::string_view kOtherProject = "carol:projB:member,reader";
inline constexpr std::string_view kService = "nova:service:service";
inline constexpr std::string_view kAnonymous = "";

inline constexpr std::string_view kServer = "11111111-2222-4333-8444-555555555555";
inline constexpr std::string_view kRequestId = "req-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

std::shared_ptr<Journal> MemoryJournal();

Request MakeRequest(bhttp::verb method, std::string_view target, std::string_view token,
                    std::string body = {}, std::string_view microversion = {});

class ServiceFixture {
 public:
  ServiceFixture();

  Response Call(bhttp::verb method, std::string_view target, std::string_view token,
                std::string body = {}, std::string_view microversion = {});

  // Registers kServer in projA and records one action (still open) with one failed event.
  void Seed();

  Journal& journal() { return *journal_; }

 private:
  std::shared_ptr<Journal> journal_;
  std::unique_ptr<Service> service_;
};

}  // namespace actionlog::http::testing
