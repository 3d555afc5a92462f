// The hostile-input fixture: the real server with small limits and short timeouts over a journal
// seeded through the API. After every test the server must still answer, the seeded record must
// be unchanged, the hash chain must verify, and a graceful stop must return promptly.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "http_harness.hpp"

namespace actionlog::reliability {

inline constexpr std::string_view kService = "nova:service:service";
inline constexpr std::string_view kAdmin = "root:adminproj:admin";
inline constexpr std::string_view kOwner = "alice:projA:member,reader";
inline constexpr std::string_view kServer = "11111111-2222-4333-8444-555555555555";
inline constexpr std::string_view kRequestId = "req-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

class HostileTest : public ::testing::Test {
 protected:
  static http::ServerConfig SmallLimits();

  void SetUp() override;
  void TearDown() override;

  std::uint16_t port() const { return server_->port(); }

  Journal& journal() { return *journal_; }

  // A normal read and a normal write on fresh connections both succeed.
  void ExpectHealthy();

  std::string InstanceUrl() const { return "/journal/v1/instances/" + std::string(kServer); }

  std::string ActionUrl() const { return InstanceUrl() + "/actions/" + std::string(kRequestId); }

  std::string NovaIndex() const {
    return "/v2.1/servers/" + std::string(kServer) + "/os-instance-actions";
  }

 private:
  std::shared_ptr<Journal> journal_;
  std::unique_ptr<TestServer> server_;
  std::string seeded_;  // the seeded action as GET returned it before the test
  int health_writes_ = 0;
};

}  // namespace actionlog::reliability
