#include "http/config.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "http/router.hpp"
#include "testing/testing.hpp"

namespace actionlog::http {
namespace {

using ::actionlog::testing::HasError;
using ::actionlog::testing::TempDir;

TEST(ConfigTest, OpenStackIniFile) {
  TempDir dir;
  const std::string path = dir.File("actionlog.conf");
  {
    std::ofstream out(path);
    out << "# comment\n[DEFAULT]\nosapi_compute_listen = 0.0.0.0\nosapi_compute_listen_port = "
           "9000\nunknown_key = ignored\n\n[api]\nauth_strategy = keystone\ntrusted_proxies = "
           "10.0.0.1, 10.0.0.2\nmax_limit = 50\n[database]\nconnection = "
           "sqlite:///var/x.db\nslave_connection = postgresql://standby/x\n"
           "[limits]\nmax_body_bytes = 4096\nidle_timeout = 5\n";
  }
  ServerConfig config;
  ASSERT_TRUE(ApplyConfigFile(path, config));
  EXPECT_EQ(config.listen_host, "0.0.0.0");
  EXPECT_EQ(config.listen_port, 9000);
  EXPECT_EQ(config.auth_mode, AuthMode::kHeaders);
  EXPECT_EQ(config.trusted_proxies, (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
  EXPECT_EQ(config.max_limit, 50);
  EXPECT_EQ(config.db_url, "sqlite:///var/x.db");
  EXPECT_EQ(config.read_db_url, "postgresql://standby/x");
  EXPECT_EQ(config.max_body_bytes, 4096U);
  EXPECT_EQ(config.idle_timeout, std::chrono::seconds(5));
  EXPECT_TRUE(ValidateConfig(config));
}

TEST(ConfigTest, BadValuesNameTheLine) {
  TempDir dir;
  const std::string path = dir.File("bad.conf");
  {
    std::ofstream out(path);
    out << "[limits]\nmax_connections = lots\n";
  }
  ServerConfig config;
  auto st = ApplyConfigFile(path, config);
  ASSERT_THAT(st, HasError(ErrorCode::kInvalidArgument));
  EXPECT_NE(st.error().message.find("bad.conf:2"), std::string::npos);
  EXPECT_THAT(ApplyConfigFile(dir.File("missing"), config), HasError(ErrorCode::kNotFound));
  config.auth_mode = AuthMode::kTokens;
  EXPECT_THAT(ValidateConfig(config), HasError(ErrorCode::kInvalidArgument));
}

TEST(ConfigTest, ListenAddresses) {
  ServerConfig c;
  ASSERT_TRUE(ParseListen("127.0.0.1:8774", c));
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  ASSERT_TRUE(ParseListen("[::1]:9", c));
  EXPECT_EQ(c.listen_host, "::1");
  EXPECT_EQ(c.listen_port, 9);
  EXPECT_FALSE(ParseListen("nohost", c));
  EXPECT_FALSE(ParseListen("h:99999", c));
}

TEST(RouterTest, NovaAndJournalRoutes) {
  using V = bhttp::verb;
  EXPECT_EQ(MatchRoute(V::get, "/").kind, RouteKind::kVersionsRoot);
  EXPECT_EQ(MatchRoute(V::get, "/v2.1/").kind, RouteKind::kVersionV21);
  EXPECT_EQ(MatchRoute(V::get, "/v2").kind, RouteKind::kVersionV2);
  auto r = MatchRoute(V::get, "/v2.1/ab-12/servers/s/os-instance-actions/r");
  EXPECT_EQ(r.kind, RouteKind::kActionShow);
  EXPECT_EQ(r.project_id, "ab-12");
  EXPECT_EQ(r.server_id, "s");
  EXPECT_EQ(r.request_id, "r");
  EXPECT_TRUE(MatchRoute(V::get, "/v2/servers/s/os-instance-actions").legacy_v2);
  EXPECT_EQ(MatchRoute(V::get, "/v2.1/servers/s/os-instance-actions/").kind, RouteKind::kNotFound);
  EXPECT_EQ(MatchRoute(V::get, "/v2.1//servers/s").kind, RouteKind::kNotFound);
  EXPECT_EQ(MatchRoute(V::head, "/v2.1/servers/s").kind, RouteKind::kNotFound);
  EXPECT_EQ(MatchRoute(V::get, "/v2.10/servers/s").kind, RouteKind::kVersionChoices);
  EXPECT_EQ(MatchRoute(V::post, "/foo").kind, RouteKind::kVersionChoices);
  r = MatchRoute(V::post, "/journal/v1/instances/u/actions/r/events/e/finish");
  EXPECT_EQ(r.kind, RouteKind::kJournalEventFinish);
  EXPECT_EQ(r.event, "e");
  r = MatchRoute(V::delete_, "/journal/v1/instances/u/actions/r");
  EXPECT_EQ(r.kind, RouteKind::kMethodNotAllowed);
  EXPECT_EQ(r.allow, "GET, PUT");
  EXPECT_TRUE(MatchRoute(V::get, "/journal/v1/x").journal);
  EXPECT_TRUE(IsPublicRoute(MatchRoute(V::get, "/v2.1")));
  EXPECT_FALSE(IsPublicRoute(MatchRoute(V::get, "/v2.1/servers")));
}

// Journal paths are split before decoding (%2F stays inside its segment); Nova paths are decoded
// first, as WSGI hands them to Nova's router (%2F separates).
TEST(RouterTest, RawTargetsDecodeJournalSegmentsOneByOne) {
  using V = bhttp::verb;
  Route r = MatchTarget(V::post, "/journal/v1/instances/u/actions/req%2F1/events/a%2Fb%20c/finish");
  EXPECT_EQ(r.kind, RouteKind::kJournalEventFinish);
  EXPECT_EQ(r.request_id, "req/1");
  EXPECT_EQ(r.event, "a/b c");
  r = MatchTarget(V::get, "/journal/v1/instances/u%2Dx/actions/r%25");
  EXPECT_EQ(r.kind, RouteKind::kJournalActionGet);
  EXPECT_EQ(r.server_id, "u-x");
  EXPECT_EQ(r.request_id, "r%");
  EXPECT_EQ(MatchTarget(V::get, "/journal/v1/instances/u/actions/").kind, RouteKind::kNotFound);
  EXPECT_EQ(MatchTarget(V::get, "/journal/v1/").kind, RouteKind::kNotFound);
  EXPECT_TRUE(MatchTarget(V::get, "/journal/v1/").journal);
  r = MatchTarget(V::get, "/v2.1/servers/s/os-instance-actions/req%2F1");
  EXPECT_EQ(r.kind, RouteKind::kNotFound);
  r = MatchTarget(V::get, "/v2.1/servers/s%2Dt/os-instance-actions/r%20s");
  EXPECT_EQ(r.kind, RouteKind::kActionShow);
  EXPECT_EQ(r.server_id, "s-t");
  EXPECT_EQ(r.request_id, "r s");
}

}  // namespace
}  // namespace actionlog::http
