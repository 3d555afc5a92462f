// The /journal/v1 write API as functions: every status code it can return, and the auth matrix
// (admin, owner member, owner reader, other project, service, anonymous) over every endpoint.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "http_test_util.hpp"

namespace actionlog::http {
namespace {

using testing::kAdmin;
using testing::kAnonymous;
using testing::kOtherProject;
using testing::kOwnerMember;
using testing::kOwnerReader;
using testing::kRequestId;
using testing::kServer;
using testing::kService;
using V = bhttp::verb;

const std::string kBase = "/journal/v1/instances/" + std::string(kServer);
const std::string kAction = kBase + "/actions/" + std::string(kRequestId);
constexpr std::string_view kOtherServer = "99999999-2222-4333-8444-555555555555";
constexpr std::string_view kRequestId2 = "req-22222222-bbbb-4ccc-8ddd-eeeeeeeeeeee";

std::string StartBody(std::string_view request_id, std::string_view action = "reboot") {
  return R"({"action": {"request_id": ")" + std::string(request_id) + R"(", "action": ")" +
         std::string(action) +
         R"(", "user_id": "alice", "project_id": "projA", "start_time": "2026-01-02T00:00:00Z"}})";
}

class JournalApiTest : public ::testing::Test, public testing::ServiceFixture {
 protected:
  void SetUp() override { Seed(); }
};

TEST_F(JournalApiTest, Instances) {
  const std::string other = "/journal/v1/instances/" + std::string(kOtherServer);
  EXPECT_EQ(Call(V::put, other, kService, R"({"instance": {"project_id": "projB"}})").result_int(),
            201U);
  EXPECT_EQ(Call(V::put, other, kService,
                 R"({"instance": {"project_id": "projB", "display_name": "vm"}})")
                .result_int(),
            200U);
  auto moved = Call(V::put, other, kService, R"({"instance": {"project_id": "projC"}})");
  EXPECT_EQ(moved.result_int(), 409U);
  EXPECT_NE(moved.body().find("conflictingRequest"), std::string::npos);
  auto got = Call(V::get, other, kService);
  ASSERT_EQ(got.result_int(), 200U);
  EXPECT_EQ(boost::json::parse(got.body()).at("instance").at("display_name").as_string(), "vm");
  EXPECT_EQ(
      Call(V::get, "/journal/v1/instances/" + std::string(kRequestId2), kService).result_int(),
      404U);
  EXPECT_EQ(Call(V::put, "/journal/v1/instances/not-a-uuid", kService,
                 R"({"instance": {"project_id": "p"}})")
                .result_int(),
            400U);
}

TEST_F(JournalApiTest, DeletedInstanceStaysReadableFrom221) {
  ASSERT_EQ(Call(V::delete_, kBase, kService).result_int(), 200U);
  const std::string index = "/v2.1/servers/" + std::string(kServer) + "/os-instance-actions";
  EXPECT_EQ(Call(V::get, index, kOwnerMember).result_int(), 404U);
  EXPECT_EQ(Call(V::get, index, kOwnerMember, {}, "2.21").result_int(), 200U);
}

TEST_F(JournalApiTest, ActionsIdempotentReplayAndConflict) {
  EXPECT_EQ(Call(V::post, kBase + "/actions", kService, StartBody(kRequestId2)).result_int(), 201U);
  auto replay = Call(V::post, kBase + "/actions", kService, StartBody(kRequestId2));
  EXPECT_EQ(replay.result_int(), 200U);
  EXPECT_EQ(
      Call(V::post, kBase + "/actions", kService, StartBody(kRequestId2, "stop")).result_int(),
      409U);
  EXPECT_EQ(Call(V::post, "/journal/v1/instances/" + std::string(kOtherServer) + "/actions",
                 kService, StartBody(kRequestId2))
                .result_int(),
            404U);
  auto got = Call(V::get, kAction, kService);
  ASSERT_EQ(got.result_int(), 200U);
  EXPECT_EQ(boost::json::parse(got.body()).at("action").at("events").as_array().size(), 1U);
  EXPECT_EQ(Call(V::get, kBase + "/actions/req-none", kService).result_int(), 404U);
}

TEST_F(JournalApiTest, EventsStateRules) {
  const std::string action2 = kBase + "/actions/" + std::string(kRequestId2);
  ASSERT_EQ(Call(V::post, kBase + "/actions", kService, StartBody(kRequestId2)).result_int(), 201U);
  const std::string ev = R"({"event": {"event": "compute_stop", "host": "c1"}})";
  EXPECT_EQ(Call(V::post, action2 + "/events", kService, ev).result_int(), 201U);
  EXPECT_EQ(Call(V::post, action2 + "/events", kService, ev).result_int(), 409U);
  EXPECT_EQ(Call(V::post, kBase + "/actions/req-none/events", kService, ev).result_int(), 404U);
  const std::string fin = action2 + "/events/compute_stop/finish";
  EXPECT_EQ(Call(V::post, fin, kService, R"({"result": "Success"})").result_int(), 200U);
  EXPECT_EQ(Call(V::post, fin, kService, R"({"result": "Success"})").result_int(), 200U);
  EXPECT_EQ(Call(V::post, fin, kService, R"({"result": "Error"})").result_int(), 409U);
  EXPECT_EQ(Call(V::post, fin, kService, R"({"result": "Maybe"})").result_int(), 400U);
  EXPECT_EQ(Call(V::post, action2 + "/events/nope/finish", kService, R"({"result": "Success"})")
                .result_int(),
            404U);
  EXPECT_EQ(Call(V::post, action2 + "/finish", kService, "").result_int(), 200U);
}

// A request id and an event name holding '/' (and '%') are accepted, and addressable by
// percent-encoding them in the path.
TEST_F(JournalApiTest, SlashesInIdsAreAddressableEncoded) {
  ASSERT_EQ(Call(V::post, kBase + "/actions", kService, StartBody("req/a%b")).result_int(), 201U);
  const std::string action = kBase + "/actions/req%2Fa%25b";
  const auto got = Call(V::get, action, kService);
  ASSERT_EQ(got.result_int(), 200U) << got.body();
  EXPECT_EQ(boost::json::parse(got.body()).at("action").at("request_id"), "req/a%b");
  EXPECT_EQ(Call(V::post, action + "/events", kService,
                 R"({"event": {"event": "compute/step", "host": "c1"}})")
                .result_int(),
            201U);
  EXPECT_EQ(
      Call(V::post, action + "/events/compute%2Fstep/finish", kService, R"({"result": "Success"})")
          .result_int(),
      200U);
  EXPECT_EQ(Call(V::post, action + "/finish", kService, "").result_int(), 200U);
  // Unencoded, the slash is a separator: no such route.
  EXPECT_EQ(Call(V::get, kBase + "/actions/req/a%25b", kService).result_int(), 404U);
}

TEST_F(JournalApiTest, CloneCreatesThenReplaysThenConflicts) {
  const std::string clone = kBase + "/actions/" + std::string(kRequestId2);
  const std::string body =
      R"({"action": {"action": "migrate", "user_id": "root", "project_id": "adminproj",)"
      R"( "start_time": "2026-01-03T00:00:00.000000", "finish_time": "2026-01-03T00:01:00",)"
      R"( "events": [{"event": "compute_migrate", "start_time": "2026-01-03T00:00:01",)"
      R"( "finish_time": "2026-01-03T00:00:59", "result": "Success", "host": "c2"}]}})";
  auto created = Call(V::put, clone, kService, body);
  ASSERT_EQ(created.result_int(), 201U) << created.body();
  EXPECT_EQ(Call(V::put, clone, kService, body).result_int(), 200U);
  std::string changed = body;
  changed.replace(changed.find("migrate"), 7, "rebuild");
  EXPECT_EQ(Call(V::put, clone, kService, changed).result_int(), 409U);
  EXPECT_EQ(
      Call(V::put, clone, kService, R"({"action": {"request_id": "req-other", "action": "x"}})")
          .result_int(),
      400U);
}

TEST_F(JournalApiTest, MalformedBodiesAre4xx) {
  const std::string url = kBase + "/actions";
  for (
      const std::string& body :
      {std::string("{"), std::string("[]"), std::string("null"), std::string("{}"),
       std::string(R"({"action": []})"), std::string(R"({"action": {}, "x": 1})"),
       std::string(
           R"({"action": {"request_id": 5, "action": "a", "user_id": "u", "project_id": "p"}})"),
       std::string(
           R"({"action": {"request_id": "r", "action": "a", "user_id": "u", "project_id": "p", "start_time": "yesterday"}})"),
       std::string(
           R"({"action": {"request_id": "r", "action": "a", "user_id": "u", "project_id": "p", "zzz": 1}})"),
       std::string(
           R"({"action": {"request_id": "r\u0000", "action": "a", "user_id": "u", "project_id": "p"}})"),
       std::string(R"({"action": {"request_id": 1e999999, "action": "a"}})"),
       std::string(R"({"action": {"request_id": 123456789012345678901234567890}})"),
       std::string("{\"action\": {\"request_id\": \"\xff\xfe\"}}"),
       std::string("{\"action\": {\"request_id\": \"a\0b\"}}", 30)}) {
    auto res = Call(V::post, url, kService, body);
    EXPECT_EQ(res.result_int(), 400U) << body << " -> " << res.body();
    EXPECT_EQ(res[bhttp::field::content_type], "application/json; charset=UTF-8");
  }
  auto req = testing::MakeRequest(V::post, url, kService, StartBody(kRequestId2));
  req.set(bhttp::field::content_type, "text/plain");
  auto auth = Authenticator::Create(AuthMode::kNoAuth, {}, "");
  Service service(testing::MemoryJournal(), std::move(*auth), ServiceOptions{});
  AccessInfo access;
  EXPECT_EQ(service.Handle(req, ClientInfo{}, access).result_int(), 415U);
}

TEST_F(JournalApiTest, UnknownPathsAndMethods) {
  auto res = Call(V::get, "/journal/v1/nothing", kService);
  EXPECT_EQ(res.result_int(), 404U);
  EXPECT_NE(res.body().find("itemNotFound"), std::string::npos);
  res = Call(V::patch, kBase, kService, "{}");
  EXPECT_EQ(res.result_int(), 405U);
  EXPECT_EQ(res[bhttp::field::allow], "GET, PUT, DELETE");
  EXPECT_EQ(Call(V::get, kBase + "/actions", kService).result_int(), 405U);
  EXPECT_EQ(Call(V::get, "/journal/v2/x", kService).result_int(), 404U);
}

TEST_F(JournalApiTest, Verify) {
  auto res = Call(V::get, "/journal/v1/verify", kAdmin);
  ASSERT_EQ(res.result_int(), 200U);
  EXPECT_TRUE(boost::json::parse(res.body()).at("verify").at("ok").as_bool());
}

struct MatrixCase {
  const char* name;
  V method;
  std::string path;
  std::string body;
  // admin, owner member, owner reader, other project, service, anonymous
  std::array<unsigned, 6> expected;
};

std::vector<MatrixCase> MatrixCases() {
  const std::string nova = "/v2.1/servers/" + std::string(kServer);
  const std::string other = "/journal/v1/instances/" + std::string(kOtherServer);
  const std::string action2 = kBase + "/actions/" + std::string(kRequestId2);
  return {
      {"nova-index", V::get, nova + "/os-instance-actions", "", {200, 200, 200, 404, 404, 401}},
      {"nova-show",
       V::get,
       nova + "/os-instance-actions/" + std::string(kRequestId),
       "",
       {200, 200, 200, 404, 404, 401}},
      {"nova-server", V::get, nova, "", {200, 200, 200, 404, 404, 401}},
      {"nova-servers", V::get, "/v2.1/servers?name=x", "", {200, 200, 200, 200, 200, 401}},
      {"versions", V::get, "/", "", {200, 200, 200, 200, 200, 200}},
      {"version-v2.1", V::get, "/v2.1", "", {200, 200, 200, 200, 200, 200}},
      {"instance-put",
       V::put,
       other,
       R"({"instance": {"project_id": "projB"}})",
       {201, 403, 403, 403, 201, 401}},
      {"instance-get", V::get, kBase, "", {200, 403, 403, 403, 200, 401}},
      {"instance-delete", V::delete_, kBase, "", {200, 403, 403, 403, 200, 401}},
      {"action-start",
       V::post,
       kBase + "/actions",
       StartBody(kRequestId2),
       {201, 403, 403, 403, 201, 401}},
      {"action-get", V::get, kAction, "", {200, 403, 403, 403, 200, 401}},
      {"action-clone",
       V::put,
       action2,
       R"({"action": {"action": "x", "user_id": "u",)"
       R"( "project_id": "projA", "start_time": "2026-02-01"}})",
       {201, 403, 403, 403, 201, 401}},
      {"action-finish", V::post, kAction + "/finish", "{}", {200, 403, 403, 403, 200, 401}},
      {"event-start",
       V::post,
       kAction + "/events",
       R"({"event": {"event": "compute_x"}})",
       {201, 403, 403, 403, 201, 401}},
      {"event-finish",
       V::post,
       kAction + "/events/compute_reboot/finish",
       R"({"result": "Error", "details": "boom", "traceback": "Traceback...",)"
       R"( "finish_time": "2026-01-01T00:00:02Z"})",
       {200, 403, 403, 403, 200, 401}},
      {"verify", V::get, "/journal/v1/verify", "", {200, 403, 403, 403, 403, 401}},
  };
}

TEST(JournalAuthMatrixTest, EveryIdentityOnEveryEndpoint) {
  const std::array<std::string_view, 6> who = {kAdmin,        kOwnerMember, kOwnerReader,
                                               kOtherProject, kService,     kAnonymous};
  for (const MatrixCase& c : MatrixCases()) {
    for (std::size_t i = 0; i < who.size(); ++i) {
      testing::ServiceFixture fixture;
      fixture.Seed();
      auto res = fixture.Call(c.method, c.path, who[i], c.body);
      EXPECT_EQ(res.result_int(), c.expected[i])
          << c.name << " as " << (who[i].empty() ? "anonymous" : who[i]) << ": " << res.body();
    }
  }
}

}  // namespace
}  // namespace actionlog::http
