#include "http/auth.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "actionlog/core/change_log.hpp"
#include "testing/testing.hpp"

namespace actionlog::http {
namespace {

using ::actionlog::testing::TempDir;

TEST(AuthTest, NoAuthTokens) {
  auto auth = Authenticator::Create(AuthMode::kNoAuth, {}, "");
  ASSERT_TRUE(auth);
  auto id = (*auth)->Authenticate({.auth_token = "u1:p1:member, reader"});
  ASSERT_TRUE(id);
  EXPECT_EQ(id->user_id, "u1");
  EXPECT_EQ(id->project_id, "p1");
  EXPECT_EQ(id->roles, (std::vector<std::string>{"member", "reader"}));
  EXPECT_FALSE(id->IsAdmin());
  id = (*auth)->Authenticate({.auth_token = "admin:p"});
  ASSERT_TRUE(id);
  EXPECT_TRUE(id->IsAdmin());
  id = (*auth)->Authenticate({.auth_token = "u:p:"});
  ASSERT_TRUE(id);
  EXPECT_TRUE(id->roles.empty());
  EXPECT_FALSE((*auth)->Authenticate({.auth_token = ""}));
  EXPECT_FALSE((*auth)->Authenticate({.auth_token = "notused"}));
  EXPECT_FALSE((*auth)->Authenticate({.auth_token = ":p:admin"}));
  // Identity headers are not trusted in noauth mode.
  EXPECT_FALSE((*auth)->Authenticate(
      {.user_id = "u", .project_id = "p", .roles = "admin", .peer_address = "127.0.0.1"}));
}

TEST(AuthTest, HeadersOnlyFromTrustedProxies) {
  auto auth = Authenticator::Create(AuthMode::kHeaders, {"127.0.0.1", "10.0.0.1"}, "");
  ASSERT_TRUE(auth);
  Credentials c{
      .user_id = "u", .project_id = "p", .roles = "admin,reader", .peer_address = "10.0.0.1"};
  auto id = (*auth)->Authenticate(c);
  ASSERT_TRUE(id);
  EXPECT_TRUE(id->IsAdmin());
  c.peer_address = "::ffff:127.0.0.1";
  EXPECT_TRUE((*auth)->Authenticate(c));
  c.peer_address = "10.0.0.2";
  EXPECT_FALSE((*auth)->Authenticate(c));
  c.peer_address = "127.0.0.1";
  c.project_id = "";
  EXPECT_FALSE((*auth)->Authenticate(c));
  EXPECT_FALSE((*auth)->Authenticate({.auth_token = "u:p:admin", .peer_address = "127.0.0.1"}));
}

TEST(AuthTest, TokenFile) {
  TempDir dir;
  const std::string path = dir.File("tokens");
  {
    std::ofstream out(path);
    out << "# comment\n\n"
        << Sha256Hex("s3cret") << " alice projA member,reader\n"
        << Sha256Hex("ops") << " bob projB admin\n";
  }
  auto auth = Authenticator::Create(AuthMode::kTokens, {}, path);
  ASSERT_TRUE(auth);
  auto id = (*auth)->Authenticate({.auth_token = "s3cret"});
  ASSERT_TRUE(id);
  EXPECT_EQ(id->user_id, "alice");
  EXPECT_EQ(id->project_id, "projA");
  EXPECT_TRUE((*auth)->Authenticate({.auth_token = "ops"})->IsAdmin());
  EXPECT_FALSE((*auth)->Authenticate({.auth_token = "alice:projA:admin"}));
  EXPECT_FALSE((*auth)->Authenticate({.auth_token = ""}));

  {
    std::ofstream out(path);
    out << "nothex alice projA\n";
  }
  auto bad = Authenticator::Create(AuthMode::kTokens, {}, path);
  EXPECT_THAT(bad, ::actionlog::testing::HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Authenticator::Create(AuthMode::kTokens, {}, dir.File("missing")),
              ::actionlog::testing::HasError(ErrorCode::kNotFound));
}

}  // namespace
}  // namespace actionlog::http
