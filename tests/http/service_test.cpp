// Service::Handle as a function: Nova views and routing on a seeded journal.
#include "http/service.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "actionlog/core/change_log.hpp"
#include "http_test_util.hpp"

namespace actionlog::http {
namespace {

using testing::kAdmin;
using testing::kOtherProject;
using testing::kOwnerMember;
using testing::kRequestId;
using testing::kServer;
using V = bhttp::verb;

class NovaServiceTest : public ::testing::Test, public testing::ServiceFixture {
 protected:
  void SetUp() override { Seed(); }

  std::string Show() const {
    return "/v2.1/servers/" + std::string(kServer) + "/os-instance-actions/" +
           std::string(kRequestId);
  }

  std::string Index() const {
    return "/v2.1/servers/" + std::string(kServer) + "/os-instance-actions";
  }
};

TEST_F(NovaServiceTest, ShowAsAdminAt21HasTracebackOnly) {
  auto res = Call(V::get, Show(), kAdmin);
  ASSERT_EQ(res.result_int(), 200U) << res.body();
  EXPECT_EQ(res[bhttp::field::content_type], "application/json");
  EXPECT_EQ(res["OpenStack-API-Version"], "compute 2.1");
  EXPECT_EQ(res["X-OpenStack-Nova-API-Version"], "2.1");
  EXPECT_EQ(std::distance(res.equal_range(bhttp::field::vary).first,
                          res.equal_range(bhttp::field::vary).second),
            2);
  EXPECT_TRUE(res["x-openstack-request-id"].starts_with("req-"));
  EXPECT_EQ(res["x-openstack-request-id"], res["x-compute-request-id"]);
  EXPECT_EQ(
      res.body(),
      R"({"instanceAction": {"action": "reboot", "instance_uuid": ")" + std::string(kServer) +
          R"(", "request_id": ")" + std::string(kRequestId) +
          R"(", "user_id": "alice", "project_id": "projA", "start_time": )"
          R"("2026-01-01T00:00:00.000000", "message": "Error", "events": [{"event": )"
          R"("compute_reboot", "start_time": "2026-01-01T00:00:01.000000", "finish_time": )"
          R"("2026-01-01T00:00:02.000000", "result": "Error", "traceback": "Traceback..."}]}})");
}

TEST_F(NovaServiceTest, EventKeysFollowMicroversionAndPolicy) {
  auto owner21 = boost::json::parse(Call(V::get, Show(), kOwnerMember).body());
  EXPECT_FALSE(owner21.at("instanceAction").as_object().contains("events"));
  auto owner51 = boost::json::parse(Call(V::get, Show(), kOwnerMember, {}, "2.51").body());
  EXPECT_EQ(owner51.at("instanceAction").at("events").at(0).as_object().size(), 4U);
  const std::string host_id = Sha224Hex("projAc1");
  auto owner84 = boost::json::parse(Call(V::get, Show(), kOwnerMember, {}, "2.84").body());
  const auto& ev = owner84.at("instanceAction").at("events").at(0).as_object();
  EXPECT_EQ(ev.at("hostId").as_string(), host_id);
  EXPECT_FALSE(ev.contains("host"));
  EXPECT_FALSE(ev.contains("details"));
  auto admin84 = boost::json::parse(Call(V::get, Show(), kAdmin, {}, "2.84").body());
  const auto& aev = admin84.at("instanceAction").at("events").at(0).as_object();
  EXPECT_EQ(aev.at("host").as_string(), "c1");
  EXPECT_EQ(aev.at("details").as_string(), "boom");
  EXPECT_TRUE(admin84.at("instanceAction").as_object().contains("updated_at"));
}

TEST_F(NovaServiceTest, IndexPagination) {
  auto res = Call(V::get, Index() + "?limit=1", kOwnerMember, {}, "2.58");
  ASSERT_EQ(res.result_int(), 200U);
  auto doc = boost::json::parse(res.body());
  ASSERT_EQ(doc.at("instanceActions").as_array().size(), 1U);
  EXPECT_EQ(doc.at("links").at(0).at("href").as_string(),
            "http://api.example:8774" + Index() + "?limit=1&marker=" +
                std::string(doc.at("instanceActions").at(0).at("request_id").as_string()));
  res = Call(V::get, Index() + "?limit=1000", kOwnerMember, {}, "2.58");
  EXPECT_FALSE(boost::json::parse(res.body()).as_object().contains("links"));
  res = Call(V::get, Index() + "?marker=nope", kOwnerMember, {}, "2.58");
  EXPECT_EQ(res.result_int(), 400U);
  EXPECT_EQ(res.body(),
            R"({"badRequest": {"code": 400, "message": "Marker None could not be found."}})");
  EXPECT_EQ(res[bhttp::field::content_type], "application/json; charset=UTF-8");
  res = Call(V::get, Index() + "?marker=nope", kOwnerMember, {}, "2.57");
  EXPECT_EQ(res.result_int(), 200U);
}

TEST_F(NovaServiceTest, NotFoundAndForeignProjects) {
  auto res = Call(V::get, Index(), kOtherProject);
  EXPECT_EQ(res.result_int(), 404U);
  EXPECT_EQ(res.body(), R"({"itemNotFound": {"code": 404, "message": "Instance )" +
                            std::string(kServer) + R"( could not be found."}})");
  res = Call(V::get, Index() + "/req-nope", kAdmin);
  EXPECT_EQ(res.body(),
            R"({"itemNotFound": {"code": 404, "message": "Action req-nope not found"}})");
  res = Call(V::get, "/v2.1/servers/not-a-uuid/os-instance-actions", kAdmin);
  EXPECT_EQ(res.result_int(), 404U);
}

TEST_F(NovaServiceTest, VersionNegotiationFaults) {
  auto res = Call(V::get, Index(), kOwnerMember, {}, "2.94");
  EXPECT_EQ(res.result_int(), 406U);
  EXPECT_EQ(res["OpenStack-API-Version"], "compute 2.94");
  EXPECT_NE(res.body().find("computeFault"), std::string::npos);
  res = Call(V::get, Index(), kOwnerMember, {}, "abc");
  EXPECT_EQ(res.result_int(), 400U);
  EXPECT_EQ(res.count("OpenStack-API-Version"), 0U);
}

TEST_F(NovaServiceTest, RoutingLikeNova) {
  auto res = Call(V::get, Index() + "/", kOwnerMember);
  EXPECT_EQ(res.result_int(), 404U);
  EXPECT_EQ(res[bhttp::field::content_type], "text/plain; charset=UTF-8");
  EXPECT_EQ(res.count("OpenStack-API-Version"), 0U);
  EXPECT_EQ(res.count("x-openstack-request-id"), 1U);
  res = Call(V::post, Index(), kOwnerMember, "{}");
  EXPECT_EQ(res.result_int(), 404U);
  res = Call(V::get, "/v2/servers/" + std::string(kServer) + "/os-instance-actions", kOwnerMember,
             {}, "2.58");
  EXPECT_EQ(res.result_int(), 200U);
  EXPECT_EQ(res.count("OpenStack-API-Version"), 0U);
  EXPECT_EQ(res.body().find("updated_at"), std::string::npos);
  res = Call(V::get, "/v2.1/projA/servers/" + std::string(kServer) + "/os-instance-actions",
             kOwnerMember);
  EXPECT_EQ(res.result_int(), 404U);  // "projA" is not a hex project segment
  res = Call(V::get, "/v2.1/abcd/servers/" + std::string(kServer) + "/os-instance-actions",
             kOwnerMember);
  EXPECT_EQ(res.result_int(), 400U);
  EXPECT_NE(res.body().find("Malformed request URL"), std::string::npos);
}

TEST_F(NovaServiceTest, DiscoveryAndAuthFailures) {
  auto root = Call(V::get, "/", {});
  EXPECT_EQ(root.result_int(), 200U);
  EXPECT_EQ(root.count("x-openstack-request-id"), 0U);
  EXPECT_NE(root.body().find("http://api.example:8774/v2.1/"), std::string::npos);
  // Nova's root app: any other path is 300 Multiple Choices, links joined with the quoted path.
  auto choices = Call(V::get, "/v3/servers/a%20b/", {});
  EXPECT_EQ(choices.result_int(), 300U);
  EXPECT_EQ(choices.count("x-openstack-request-id"), 0U);
  EXPECT_EQ(choices.body(),
            R"({"choices": [{"id": "v2.0", "status": "SUPPORTED", "links": [{"rel": "self", )"
            R"("href": "http://api.example:8774/v2/v3/servers/a%20b"}], "media-types": [{"base": )"
            R"("application/json", "type": "application/vnd.openstack.compute+json;version=2"}]}, )"
            R"({"id": "v2.1", "status": "CURRENT", "links": [{"rel": "self", "href": )"
            R"("http://api.example:8774/v2.1/v3/servers/a%20b"}], "media-types": [{"base": )"
            R"("application/json", "type": )"
            R"("application/vnd.openstack.compute+json;version=2.1"}]}]})");
  EXPECT_EQ(Call(V::delete_, "/x", {}).result_int(), 300U);
  auto v21 = Call(V::get, "/v2.1/", {});
  EXPECT_EQ(v21.result_int(), 200U);
  EXPECT_EQ(v21["X-OpenStack-Nova-API-Version"], "2.1");
  auto anon = Call(V::get, Index(), {});
  EXPECT_EQ(anon.result_int(), 401U);
  EXPECT_EQ(anon.body(),
            R"({"error": {"code": 401, "title": "Unauthorized", "message": "The request you )"
            R"(have made requires authentication."}})");
  EXPECT_EQ(Call(V::get, Index(), "garbage").result_int(), 401U);
}

TEST_F(NovaServiceTest, ServersForClients) {
  auto res = Call(V::get, "/v2.1/servers/" + std::string(kServer), kOwnerMember, {}, "2.73");
  ASSERT_EQ(res.result_int(), 200U);
  EXPECT_EQ(boost::json::parse(res.body()).at("server").at("id").as_string(), kServer);
  EXPECT_EQ(Call(V::get, "/v2.1/servers/" + std::string(kServer), kOtherProject).result_int(),
            404U);
  res = Call(V::get, "/v2.1/servers?name=" + std::string(kServer), kAdmin);
  EXPECT_EQ(res.body(), R"({"servers": []})");
}

}  // namespace
}  // namespace actionlog::http
