// Isolation: no response ever reveals another project's action, event, traceback, details, host
// or ids. Two projects are seeded with distinctive marker strings; callers of project A (and the
// service, and identities with forged or odd credentials) probe project B through every endpoint
// in each auth mode, and every response is searched for B's markers. Probes of B's resources must
// be indistinguishable from probes of resources that do not exist.
#include <fstream>
#include <functional>
#include <map>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "actionlog/core/change_log.hpp"
#include "http_harness.hpp"
#include "testing/testing.hpp"

namespace actionlog::reliability {
namespace {

using V = bhttp::verb;
using http::AuthMode;

constexpr std::string_view kProjA = "a1a1a1a1a1a1a1a1";
constexpr std::string_view kProjB = "b2b2b2b2b2b2b2b2";
constexpr std::string_view kServerA = "aaaaaaaa-0000-4000-8000-00000000000a";
constexpr std::string_view kServerB = "bbbbbbbb-0000-4000-8000-00000000000b";
constexpr std::string_view kDeletedB = "bbbbbbbb-0000-4000-8000-0000000000d0";
constexpr std::string_view kMissingServer = "cccccccc-0000-4000-8000-00000000000c";
constexpr std::string_view kRidA = "req-alpha-0001";
constexpr std::string_view kRidB = "req-bsecret-0001";
constexpr std::string_view kRidDeletedB = "req-bsecret-0002";
constexpr std::string_view kMissingRid = "req-nothing-0001";

std::string HostB() { return "host-bsecret"; }

// Everything that identifies project B or its data.
std::vector<std::string> BMarkers() {
  return {std::string(kProjB),
          std::string(kServerB),
          std::string(kDeletedB),
          std::string(kRidB),
          std::string(kRidDeletedB),
          HostB(),
          "vm-bsecret",
          "user-bsecret",
          "action-bsecret",
          "event-bsecret",
          "details-bsecret",
          "traceback-bsecret",
          Sha224Hex(std::string(kProjB) + HostB())};
}

// Who calls. `roles` is the comma list given to the auth mode.
struct Who {
  std::string name;
  std::string user;
  std::string project;
  std::string roles;
};

const Who kService{"service", "nova", "svcproj", "service"};
const Who kAdmin{"admin", "root", "adminproj", "admin"};
const Who kOwnerB{"b-member", "user-bsecret", std::string(kProjB), "member,reader"};
const std::vector<Who> kCallersA = {
    {"a-member", "alice", std::string(kProjA), "member,reader"},
    {"a-reader", "dave", std::string(kProjA), "reader"},
    {"a-other-role", "erin", std::string(kProjA), "other"},
    {"a-no-roles", "frank", std::string(kProjA), ""},
};

std::string TokenOf(const Who& who) { return "secret-token-of-" + who.name; }

// The server in one auth mode, seeded with projects A and B.
class Deployment {
 public:
  Deployment(AuthMode mode, std::vector<Who> token_users,
             std::vector<std::string> trusted = {"127.0.0.1", "::1"})
      : mode_(mode) {
    http::ServerConfig config;
    config.auth_mode = mode;
    config.trusted_proxies = std::move(trusted);
    config.io_threads = 2;
    config.write_threads = 2;
    if (mode == AuthMode::kTokens) {
      config.tokens_file = dir_.File("tokens");
      std::ofstream out(config.tokens_file);
      token_users.push_back(kService);
      token_users.push_back(kAdmin);
      token_users.push_back(kOwnerB);
      for (const Who& w : kCallersA) {
        token_users.push_back(w);
      }
      for (const Who& w : token_users) {
        out << Sha256Hex(TokenOf(w)) << " " << w.user << " " << w.project << " " << w.roles << "\n";
      }
    }
    server_ = std::make_unique<TestServer>(config, MemoryJournal());
  }

  bool ok() const { return server_->ok(); }

  std::uint16_t port() const { return server_->port(); }

  Journal& journal() { return server_->journal(); }

  Request As(const Who& who, Request req) const {
    switch (mode_) {
      case AuthMode::kNoAuth:
        req.set("X-Auth-Token", who.user + ":" + who.project + ":" + who.roles);
        break;
      case AuthMode::kTokens:
        req.set("X-Auth-Token", TokenOf(who));
        break;
      case AuthMode::kHeaders:
        req.set("X-User-Id", who.user);
        req.set("X-Project-Id", who.project);
        req.set("X-Roles", who.roles);
        break;
    }
    return req;
  }

  Response Call(Request req) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!client_ || !client_->connected()) {
        client_ = std::make_unique<RawClient>(port());
      }
      auto res = client_->Send(req);
      if (res) {
        if (!res->keep_alive()) {
          client_.reset();
        }
        return *res;
      }
      client_.reset();
    }
    ADD_FAILURE() << "no response to " << req.method_string() << " " << req.target();
    return Response{};
  }

  Response Call(const Who& who, V method, const std::string& target, std::string body = {},
                std::string_view microversion = {}) {
    return Call(As(who, MakeRequest(method, target, {}, std::move(body), microversion)));
  }

  // Registers both projects' servers, each with one failed action, and a deleted server of B.
  void Seed() {
    SeedProject(kServerA, kProjA, "alice", "host-alpha", "vm-alpha", kRidA, "reboot",
                "compute_reboot", "details-alpha", "traceback-alpha");
    SeedProject(kServerB, kProjB, "user-bsecret", HostB(), "vm-bsecret", kRidB, "action-bsecret",
                "event-bsecret", "details-bsecret", "traceback-bsecret");
    SeedProject(kDeletedB, kProjB, "user-bsecret", HostB(), "vm-bsecret", kRidDeletedB,
                "action-bsecret", "event-bsecret", "details-bsecret", "traceback-bsecret");
    auto del = Call(kService, V::delete_, "/journal/v1/instances/" + std::string(kDeletedB));
    ASSERT_EQ(del.result_int(), 200U) << del.body();
  }

 private:
  void SeedProject(std::string_view server, std::string_view project, std::string_view user,
                   const std::string& host, std::string_view name, std::string_view rid,
                   std::string_view action, std::string_view event, std::string_view details,
                   std::string_view traceback) {
    const std::string base = "/journal/v1/instances/" + std::string(server);
    auto put = Call(kService, V::put, base,
                    R"({"instance": {"project_id": ")" + std::string(project) +
                        R"(", "user_id": ")" + std::string(user) + R"(", "host": ")" + host +
                        R"(", "display_name": ")" + std::string(name) + R"("}})");
    ASSERT_EQ(put.result_int(), 201U) << put.body();
    auto start = Call(kService, V::post, base + "/actions",
                      R"({"action": {"request_id": ")" + std::string(rid) + R"(", "action": ")" +
                          std::string(action) + R"(", "user_id": ")" + std::string(user) +
                          R"(", "project_id": ")" + std::string(project) +
                          R"(", "start_time": "2026-01-01T00:00:00Z"}})");
    ASSERT_EQ(start.result_int(), 201U) << start.body();
    const std::string act = base + "/actions/" + std::string(rid);
    auto ev = Call(kService, V::post, act + "/events",
                   R"({"event": {"event": ")" + std::string(event) + R"(", "host": ")" + host +
                       R"(", "start_time": "2026-01-01T00:00:01Z"}})");
    ASSERT_EQ(ev.result_int(), 201U) << ev.body();
    auto fin =
        Call(kService, V::post, act + "/events/" + std::string(event) + "/finish",
             R"({"result": "Error", "details": ")" + std::string(details) + R"(", "traceback": ")" +
                 std::string(traceback) + R"(", "finish_time": "2026-01-01T00:00:02Z"})");
    ASSERT_EQ(fin.result_int(), 200U) << fin.body();
  }

  AuthMode mode_;
  testing::TempDir dir_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<RawClient> client_;
};

// B's markers found in a response, leaving out those the request itself carries.
std::vector<std::string> Leaks(const Request& req, const Response& res) {
  const std::string sent = Serialize(req);
  std::vector<std::string> markers;
  for (std::string& m : BMarkers()) {
    if (sent.find(m) == std::string::npos) {
      markers.push_back(std::move(m));
    }
  }
  return FindMarkers(WholeResponse(res), markers);
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::string Fill(std::string text, std::string_view server, std::string_view rid) {
  return Replace(Replace(std::move(text), "{S}", server), "{R}", rid);
}

// A probe of B's data and its control: the same request naming something that does not exist.
struct Probe {
  std::string name;
  V method;
  std::string target;  // with {S} (server) and {R} (request id)
  std::string body;    // with {S} and {R}
  std::string microversion;
  std::string_view server;  // B's server (or A's, when only the request id is B's)
  std::string_view rid;
  std::string_view missing_server;
  std::string_view missing_rid;
};

std::vector<Probe> NovaProbes() {
  std::vector<Probe> out;
  const std::string index = "/v2.1/servers/{S}/os-instance-actions";
  for (const std::string mv : {"", "2.21", "2.51", "2.58", "2.62", "2.66", "2.84", "latest"}) {
    out.push_back(
        {"index@" + mv, V::get, index, "", mv, kServerB, kRidB, kMissingServer, kMissingRid});
    out.push_back({"index-deleted@" + mv, V::get, index, "", mv, kDeletedB, kRidDeletedB,
                   kMissingServer, kMissingRid});
    out.push_back({"show@" + mv, V::get, index + "/{R}", "", mv, kServerB, kRidB, kMissingServer,
                   kMissingRid});
    out.push_back({"show-deleted@" + mv, V::get, index + "/{R}", "", mv, kDeletedB, kRidDeletedB,
                   kMissingServer, kMissingRid});
    out.push_back({"foreign-rid-on-own-server@" + mv, V::get, index + "/{R}", "", mv, kServerA,
                   kRidB, kServerA, kMissingRid});
    out.push_back({"foreign-deleted-rid-on-own-server@" + mv, V::get, index + "/{R}", "", mv,
                   kServerA, kRidDeletedB, kServerA, kMissingRid});
    out.push_back({"foreign-marker@" + mv, V::get, index + "?marker={R}", "", mv, kServerA, kRidB,
                   kServerA, kMissingRid});
    out.push_back({"foreign-marker-paged@" + mv, V::get,
                   index + "?limit=1&marker={R}&changes-since=2000-01-01", "", mv, kServerA, kRidB,
                   kServerA, kMissingRid});
    out.push_back({"server@" + mv, V::get, "/v2.1/servers/{S}", "", mv, kServerB, kRidB,
                   kMissingServer, kMissingRid});
    out.push_back({"index-project-url@" + mv, V::get,
                   "/v2.1/" + std::string(kProjA) + "/servers/{S}/os-instance-actions", "", mv,
                   kServerB, kRidB, kMissingServer, kMissingRid});
    out.push_back({"head-show@" + mv, V::head, index + "/{R}", "", mv, kServerB, kRidB,
                   kMissingServer, kMissingRid});
  }
  out.push_back({"legacy-v2-show", V::get, "/v2/servers/{S}/os-instance-actions/{R}", "", "",
                 kServerB, kRidB, kMissingServer, kMissingRid});
  return out;
}

std::vector<Probe> JournalProbes() {
  const std::string inst = "/journal/v1/instances/{S}";
  const std::string act = inst + "/actions/{R}";
  const std::string start =
      R"({"action": {"request_id": "req-probe", "action": "x", "user_id": "u",)"
      R"( "project_id": "a1a1a1a1a1a1a1a1"}})";
  std::vector<Probe> out = {
      {"get-instance", V::get, inst, "", "", kServerB, kRidB, kMissingServer, kMissingRid},
      {"put-instance", V::put, inst, R"({"instance": {"project_id": "a1a1a1a1a1a1a1a1"}})", "",
       kServerB, kRidB, kMissingServer, kMissingRid},
      {"delete-instance", V::delete_, inst, "", "", kServerB, kRidB, kMissingServer, kMissingRid},
      {"start-action", V::post, inst + "/actions", start, "", kServerB, kRidB, kMissingServer,
       kMissingRid},
      {"get-action", V::get, act, "", "", kServerB, kRidB, kMissingServer, kMissingRid},
      {"clone-action", V::put, act,
       R"({"action": {"action": "x", "user_id": "u", "project_id": "a1a1a1a1a1a1a1a1",)"
       R"( "start_time": "2026-01-01"}})",
       "", kServerB, kRidB, kMissingServer, kMissingRid},
      {"finish-action", V::post, act + "/finish", "{}", "", kServerB, kRidB, kMissingServer,
       kMissingRid},
      {"start-event", V::post, act + "/events", R"({"event": {"event": "x"}})", "", kServerB, kRidB,
       kMissingServer, kMissingRid},
      {"finish-event", V::post, act + "/events/event-bsecret/finish", R"({"result": "Success"})",
       "", kServerB, kRidB, kMissingServer, kMissingRid},
      {"verify", V::get, "/journal/v1/verify", "", "", kServerB, kRidB, kMissingServer,
       kMissingRid},
  };
  return out;
}

// Response headers that legitimately differ between two calls.
bool Volatile(std::string_view name) {
  return boost::beast::iequals(name, "x-openstack-request-id") ||
         boost::beast::iequals(name, "x-compute-request-id") || boost::beast::iequals(name, "date");
}

std::string StableHeaders(const Response& res) {
  std::string out;
  for (const auto& field : res.base()) {
    if (!Volatile(field.name_string())) {
      out += std::string(field.name_string()) + ": " + std::string(field.value()) + "\n";
    }
  }
  return out;
}

// Runs a probe and its control as `who` (with `decorate` applied to both requests): same status,
// same headers, same body once the control's ids are swapped for B's, and no B marker leaks.
void ExpectLikeMissing(Deployment& d, const Who& who, const Probe& p,
                       const std::function<void(Request&)>& decorate = {}) {
  SCOPED_TRACE(p.name + " as " + who.name);
  auto make = [&](std::string_view server, std::string_view rid) {
    Request req = d.As(who, MakeRequest(p.method, Fill(p.target, server, rid), {},
                                        Fill(p.body, server, rid), p.microversion));
    if (decorate) {
      decorate(req);
    }
    return req;
  };
  const Request probe = make(p.server, p.rid);
  const Request control = make(p.missing_server, p.missing_rid);
  const Response res = d.Call(probe);
  const Response ctl = d.Call(control);
  EXPECT_NE(res.result_int(), 403U) << "403 on a Nova URL reveals that the resource exists";
  EXPECT_EQ(res.result_int(), ctl.result_int()) << res.body() << "\nvs\n" << ctl.body();
  const std::string expected =
      Replace(Replace(ctl.body(), p.missing_server, p.server), p.missing_rid, p.rid);
  EXPECT_EQ(res.body(), expected);
  EXPECT_EQ(StableHeaders(res), StableHeaders(ctl));
  EXPECT_THAT(Leaks(probe, res), ::testing::IsEmpty()) << res.body();
}

class IsolationTest : public ::testing::TestWithParam<AuthMode> {
 protected:
  void SetUp() override {
    d_ = std::make_unique<Deployment>(GetParam(), std::vector<Who>{});
    ASSERT_TRUE(d_->ok());
    d_->Seed();
  }

  void TearDown() override {
    if (d_ && d_->ok()) {
      auto report = d_->journal().Verify();
      ASSERT_TRUE(report) << report.error().message;
      EXPECT_TRUE(report->ok) << report->problem;
    }
  }

  std::unique_ptr<Deployment> d_;
};

std::string ModeName(const ::testing::TestParamInfo<AuthMode>& info) {
  return std::string(http::AuthModeName(info.param));
}

INSTANTIATE_TEST_SUITE_P(AuthModes, IsolationTest,
                         ::testing::Values(AuthMode::kNoAuth, AuthMode::kHeaders,
                                           AuthMode::kTokens),
                         ModeName);

// The check can fail: B's owner and the admin do see B's markers.
TEST_P(IsolationTest, MarkersAreVisibleToTheirOwnerAndAdmin) {
  const std::string show =
      "/v2.1/servers/" + std::string(kServerB) + "/os-instance-actions/" + std::string(kRidB);
  auto owner = d_->Call(kOwnerB, V::get, show, {}, "2.84");
  ASSERT_EQ(owner.result_int(), 200U) << owner.body();
  EXPECT_NE(owner.body().find("event-bsecret"), std::string::npos);
  EXPECT_EQ(owner.body().find("traceback-bsecret"), std::string::npos);
  auto admin = d_->Call(kAdmin, V::get, show, {}, "2.84");
  ASSERT_EQ(admin.result_int(), 200U) << admin.body();
  for (const std::string m : {"host-bsecret", "details-bsecret", "traceback-bsecret"}) {
    EXPECT_NE(admin.body().find(m), std::string::npos) << m;
  }
  const Request req = d_->As(kAdmin, MakeRequest(V::get, "/v2.1/servers?name=bsecret"));
  EXPECT_THAT(Leaks(req, d_->Call(req)), ::testing::Contains("vm-bsecret"));
}

TEST_P(IsolationTest, OtherProjectsReadsLookExactlyLikeMissingResources) {
  for (const Who& who : kCallersA) {
    for (const Probe& p : NovaProbes()) {
      ExpectLikeMissing(*d_, who, p);
    }
  }
  for (const Probe& p : NovaProbes()) {
    ExpectLikeMissing(*d_, kService, p);  // the service role is no reader of other projects
  }
}

TEST_P(IsolationTest, ListingsShowOnlyTheCallersProject) {
  for (const Who& who : kCallersA) {
    SCOPED_TRACE(who.name);
    for (const std::string target :
         {"/v2.1/servers", "/v2.1/servers?name=bsecret", "/v2.1/servers?name=vm-",
          "/v2.1/servers?name=", "/v2.1/a1a1a1a1a1a1a1a1/servers?name=vm"}) {
      const Request req = d_->As(who, MakeRequest(V::get, target));
      const Response res = d_->Call(req);
      ASSERT_EQ(res.result_int(), 200U) << target << ": " << res.body();
      EXPECT_THAT(Leaks(req, res), ::testing::IsEmpty()) << target;
      const auto servers = boost::json::parse(res.body()).at("servers").as_array();
      for (const auto& s : servers) {
        EXPECT_EQ(s.at("id").as_string(), kServerA) << target;
      }
    }
    // Every page of A's actions, at every window, holds only A's actions.
    std::string next = "/v2.1/servers/" + std::string(kServerA) +
                       "/os-instance-actions?limit=1&changes-since=2000-01-01T00:00:00Z";
    for (int page = 0; page < 5 && !next.empty(); ++page) {
      const Request req = d_->As(who, MakeRequest(V::get, next, {}, {}, "2.84"));
      const Response res = d_->Call(req);
      ASSERT_EQ(res.result_int(), 200U) << res.body();
      EXPECT_THAT(Leaks(req, res), ::testing::IsEmpty());
      const auto doc = boost::json::parse(res.body()).as_object();
      for (const auto& a : doc.at("instanceActions").as_array()) {
        EXPECT_EQ(a.at("request_id").as_string(), kRidA);
      }
      next.clear();
      if (const auto* links = doc.if_contains("links")) {
        const std::string href(links->at(0).at("href").as_string());
        next = href.substr(href.find("/v2.1/"));
      }
    }
  }
}

TEST_P(IsolationTest, JournalApiRefusesEveryoneButServiceAndAdmin) {
  std::vector<Who> callers = kCallersA;
  callers.push_back(kOwnerB);
  for (const Who& who : callers) {
    for (const Probe& p : JournalProbes()) {
      SCOPED_TRACE(p.name + " as " + who.name);
      // Writes to B's (or A's own) instance by a non-service member: 403, the same answer as for
      // an instance that does not exist.
      for (const std::string_view server : {kServerB, kServerA}) {
        const Request req = d_->As(who, MakeRequest(p.method, Fill(p.target, server, p.rid), {},
                                                    Fill(p.body, server, p.rid)));
        const Request ctl =
            d_->As(who, MakeRequest(p.method, Fill(p.target, kMissingServer, kMissingRid), {},
                                    Fill(p.body, kMissingServer, kMissingRid)));
        const Response res = d_->Call(req);
        const Response missing = d_->Call(ctl);
        EXPECT_EQ(res.result_int(), 403U) << res.body();
        EXPECT_EQ(res.body(), missing.body());
        if (who.project != kProjB) {
          EXPECT_THAT(Leaks(req, res), ::testing::IsEmpty());
        }
      }
    }
  }
  // Nothing changed: B's action is as seeded.
  auto got =
      d_->Call(kService, V::get,
               "/journal/v1/instances/" + std::string(kServerB) + "/actions/" + std::string(kRidB));
  ASSERT_EQ(got.result_int(), 200U);
  const auto action = boost::json::parse(got.body()).at("action");
  EXPECT_EQ(action.at("events").as_array().size(), 1U);
  EXPECT_TRUE(action.at("finish_time").is_null());
}

// The service role writes for every project (as Nova's compute services do), docs/http-api.md.
TEST_P(IsolationTest, ServiceWritesAnyProjectsInstances) {
  const std::string base = "/journal/v1/instances/" + std::string(kServerB);
  auto put = d_->Call(kService, V::put, base,
                      R"({"instance": {"project_id": "b2b2b2b2b2b2b2b2", "host": "host-bsecret",)"
                      R"( "display_name": "vm-bsecret-renamed"}})");
  EXPECT_EQ(put.result_int(), 200U) << put.body();
  auto moved =
      d_->Call(kService, V::put, base, R"({"instance": {"project_id": "a1a1a1a1a1a1a1a1"}})");
  EXPECT_EQ(moved.result_int(), 409U) << "an instance never changes project: " << moved.body();
  auto start = d_->Call(kService, V::post, base + "/actions",
                        R"({"action": {"request_id": "req-bsecret-0003", "action": "stop",)"
                        R"( "user_id": "user-bsecret", "project_id": "b2b2b2b2b2b2b2b2"}})");
  EXPECT_EQ(start.result_int(), 201U) << start.body();
  auto owner =
      d_->Call(kOwnerB, V::get, "/v2.1/servers/" + std::string(kServerB) + "/os-instance-actions");
  EXPECT_NE(owner.body().find("req-bsecret-0003"), std::string::npos) << owner.body();
  // ... and the new action is as invisible to project A as the others.
  for (const Who& who : kCallersA) {
    const Request req = d_->As(who, MakeRequest(V::get,
                                                "/v2.1/servers/" + std::string(kServerA) +
                                                    "/os-instance-actions?marker=req-bsecret-0003",
                                                {}, {}, "2.58"));
    const Response res = d_->Call(req);
    EXPECT_EQ(res.result_int(), 400U);
    EXPECT_EQ(res.body(),
              R"({"badRequest": {"code": 400, "message": "Marker None could not be found."}})");
  }
}

// Role names: oslo.policy compares them case-insensitively and oslo.context strips the
// whitespace around each; anything else is another role.
TEST_P(IsolationTest, RoleNamesInOddCaseAndWhitespace) {
  std::vector<std::string> admin_like = {"Admin", "ADMIN", "aDmIn", "reader,Admin"};
  std::vector<std::string> not_admin = {"admin2",
                                        "administrator",
                                        "admins",
                                        "adm",
                                        "\xc3\xa4"
                                        "dmin",
                                        "ADM\xc4\xb0N",
                                        "admin;reader"};
  std::vector<std::string> service_like = {"Service", "SERVICE", "member,Service"};
  std::vector<std::string> not_service = {"services", "svc", "service-user"};
  if (GetParam() != AuthMode::kTokens) {  // token-file roles are split on blanks
    admin_like.insert(admin_like.end(), {" admin", "admin ", "\tadmin", "reader , admin"});
    not_admin.emplace_back("adm in");
    service_like.emplace_back(" service ");
  }
  std::vector<Who> extra;
  auto who_with = [&](const std::string& prefix, std::size_t i, const std::string& roles) {
    return Who{prefix + std::to_string(i), prefix + std::to_string(i), "zz00zz00", roles};
  };
  for (std::size_t i = 0; i < admin_like.size(); ++i) {
    extra.push_back(who_with("adminlike", i, admin_like[i]));
  }
  for (std::size_t i = 0; i < not_admin.size(); ++i) {
    extra.push_back(who_with("notadmin", i, not_admin[i]));
  }
  for (std::size_t i = 0; i < service_like.size(); ++i) {
    extra.push_back(who_with("servicelike", i, service_like[i]));
  }
  for (std::size_t i = 0; i < not_service.size(); ++i) {
    extra.push_back(who_with("notservice", i, not_service[i]));
  }
  if (GetParam() == AuthMode::kTokens) {
    d_ = std::make_unique<Deployment>(GetParam(), extra);
    ASSERT_TRUE(d_->ok());
    d_->Seed();
  }
  const std::string show =
      "/v2.1/servers/" + std::string(kServerB) + "/os-instance-actions/" + std::string(kRidB);
  std::size_t n = 0;
  for (const Who& who : extra) {
    SCOPED_TRACE(who.name + " roles '" + who.roles + "'");
    const bool admin = who.name.starts_with("adminlike");
    const bool service = who.name.starts_with("servicelike");
    auto verify = d_->Call(who, V::get, "/journal/v1/verify");
    EXPECT_EQ(verify.result_int(), admin ? 200U : 403U) << verify.body();
    const Request req = d_->As(who, MakeRequest(V::get, show, {}, {}, "2.84"));
    const Response res = d_->Call(req);
    EXPECT_EQ(res.result_int(), admin ? 200U : 404U) << res.body();
    if (admin) {
      EXPECT_NE(res.body().find("traceback-bsecret"), std::string::npos);
    } else {
      EXPECT_THAT(Leaks(req, res), ::testing::IsEmpty());
    }
    auto write =
        d_->Call(who, V::post, "/journal/v1/instances/" + std::string(kServerA) + "/actions",
                 R"({"action": {"request_id": "req-role-)" + std::to_string(n++) +
                     R"(", "action": "stop", "user_id": "u", "project_id": "a1"}})");
    EXPECT_EQ(write.result_int(), admin || service ? 201U : 403U) << write.body();
  }
}

// Identity headers are keystonemiddleware's output: in noauth and tokens modes they come from the
// client and are ignored, whatever they claim.
class ForgedHeadersTest : public ::testing::TestWithParam<AuthMode> {};

INSTANTIATE_TEST_SUITE_P(AuthModes, ForgedHeadersTest,
                         ::testing::Values(AuthMode::kNoAuth, AuthMode::kTokens), ModeName);

void Forge(Request& req) {
  req.set("X-User-Id", "root");
  req.set("X-User-Name", "admin");
  req.set("X-Project-Id", kProjB);
  req.set("X-Tenant-Id", kProjB);
  req.set("X-Auth-Project-Id", kProjB);
  req.set("X-Roles", "admin,service");
  req.set("X-Service-Roles", "service,admin");
  req.set("X-Identity-Status", "Confirmed");
  req.set("X-Is-Admin-Project", "True");
  req.set("X-Forwarded-For", "127.0.0.1");
}

TEST_P(ForgedHeadersTest, AreIgnored) {
  Deployment d(GetParam(), {});
  ASSERT_TRUE(d.ok());
  d.Seed();
  const Who& member = kCallersA[0];
  for (const Probe& p : NovaProbes()) {
    ExpectLikeMissing(d, member, p, Forge);
  }
  for (const Probe& p : JournalProbes()) {
    SCOPED_TRACE(p.name);
    Request req = d.As(member, MakeRequest(p.method, Fill(p.target, p.server, p.rid), {},
                                           Fill(p.body, p.server, p.rid)));
    Forge(req);
    const Response res = d.Call(req);
    EXPECT_EQ(res.result_int(), 403U) << res.body();
    EXPECT_THAT(Leaks(req, res), ::testing::IsEmpty());
  }
  // A's own action as seen by the forger: a member's view (no traceback, no host, no details).
  Request own = d.As(member, MakeRequest(V::get,
                                         "/v2.1/servers/" + std::string(kServerA) +
                                             "/os-instance-actions/" + std::string(kRidA),
                                         {}, {}, "2.84"));
  Forge(own);
  const Response res = d.Call(own);
  ASSERT_EQ(res.result_int(), 200U) << res.body();
  EXPECT_EQ(res.body().find("traceback"), std::string::npos) << res.body();
  EXPECT_EQ(res.body().find("details"), std::string::npos) << res.body();
  // Forged headers without a token are no identity at all.
  for (const Probe& p : NovaProbes()) {
    Request req = MakeRequest(p.method, Fill(p.target, p.server, p.rid), {}, {}, p.microversion);
    Forge(req);
    const Response anon = d.Call(req);
    EXPECT_EQ(anon.result_int(), 401U) << p.name << ": " << anon.body();
    EXPECT_THAT(Leaks(req, anon), ::testing::IsEmpty());
  }
}

// A credential header sent twice is ambiguous: it counts as absent. (keystonemiddleware
// removes client-supplied identity headers before setting its own; a proxy that appended instead
// would otherwise let the client's copy win.)
TEST(DuplicateCredentialsTest, AreNoIdentity) {
  const std::string show_b =
      "/v2.1/servers/" + std::string(kServerB) + "/os-instance-actions/" + std::string(kRidB);
  {
    Deployment d(AuthMode::kHeaders, {});
    ASSERT_TRUE(d.ok());
    d.Seed();
    Request req = d.As(kCallersA[0], MakeRequest(V::get, show_b));
    req.insert("X-Project-Id", kProjB);  // a second project id
    Response res = d.Call(req);
    EXPECT_EQ(res.result_int(), 401U) << res.body();
    EXPECT_THAT(Leaks(req, res), ::testing::IsEmpty());
    req = d.As(kCallersA[0], MakeRequest(V::get, "/journal/v1/verify"));
    req.insert("X-User-Id", "root");
    EXPECT_EQ(d.Call(req).result_int(), 401U);
    // Two role lists: no roles at all, so no admin.
    req = d.As(Who{"x", "mallory", std::string(kProjA), "admin"}, MakeRequest(V::get, show_b));
    req.insert("X-Roles", "member");
    res = d.Call(req);
    EXPECT_EQ(res.result_int(), 404U) << res.body();
    EXPECT_THAT(Leaks(req, res), ::testing::IsEmpty());
    req = d.As(Who{"x", "mallory", std::string(kProjA), "admin"},
               MakeRequest(V::get, "/journal/v1/verify"));
    req.insert("X-Roles", "admin");
    EXPECT_EQ(d.Call(req).result_int(), 403U);
  }
  for (const AuthMode mode : {AuthMode::kNoAuth, AuthMode::kTokens}) {
    Deployment d(mode, {});
    ASSERT_TRUE(d.ok());
    d.Seed();
    Request req = d.As(kCallersA[0], MakeRequest(V::get, show_b));
    req.insert("X-Auth-Token",
               mode == AuthMode::kNoAuth ? std::string("root:adminproj:admin") : TokenOf(kAdmin));
    const Response res = d.Call(req);
    EXPECT_EQ(res.result_int(), 401U) << res.body();
    EXPECT_THAT(Leaks(req, res), ::testing::IsEmpty());
  }
}

// headers mode: identity headers count only from a configured proxy address.
TEST(HeadersModeTest, IdentityHeadersFromUntrustedPeersAreRejected) {
  Deployment trusted(AuthMode::kHeaders, {});
  ASSERT_TRUE(trusted.ok());
  trusted.Seed();
  // The same headers from a peer that is not a configured proxy.
  Deployment untrusted(AuthMode::kHeaders, {}, {"192.0.2.1"});
  ASSERT_TRUE(untrusted.ok());
  std::vector<Probe> probes = NovaProbes();
  for (const Probe& p : JournalProbes()) {
    probes.push_back(p);
  }
  for (const Who& who : {kAdmin, kService, kOwnerB}) {
    for (const Probe& p : probes) {
      SCOPED_TRACE(p.name + " as " + who.name);
      Request req = untrusted.As(who, MakeRequest(p.method, Fill(p.target, p.server, p.rid), {},
                                                  Fill(p.body, p.server, p.rid), p.microversion));
      // Claims about the client address are not the TCP peer.
      req.set("X-Forwarded-For", "127.0.0.1");
      req.set("Forwarded", "for=127.0.0.1");
      req.set("X-Real-IP", "127.0.0.1");
      const Response res = untrusted.Call(req);
      EXPECT_EQ(res.result_int(), 401U) << res.body();
      EXPECT_THAT(Leaks(req, res), ::testing::IsEmpty());
    }
  }
  // From a second loopback address of this host, which is not in the trusted list either.
  RawClient other(trusted.port(), std::chrono::milliseconds(5000), "127.0.0.2");
  if (other.connected()) {
    const Request req =
        trusted.As(kAdmin, MakeRequest(V::get, "/v2.1/servers/" + std::string(kServerB) +
                                                   "/os-instance-actions/" + std::string(kRidB)));
    auto res = other.Send(req);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 401U) << res->body();
    EXPECT_THAT(Leaks(req, *res), ::testing::IsEmpty());
  }
  // And from the trusted proxy they are honoured (the control).
  auto ok = trusted.Call(
      kAdmin, V::get,
      "/v2.1/servers/" + std::string(kServerB) + "/os-instance-actions/" + std::string(kRidB), {},
      "2.84");
  EXPECT_EQ(ok.result_int(), 200U);
  EXPECT_NE(ok.body().find("traceback-bsecret"), std::string::npos);
  // A noauth token is no identity in headers mode, even from the proxy.
  Request token_only =
      MakeRequest(V::get, "/v2.1/servers/" + std::string(kServerB), "root:adminproj:admin");
  EXPECT_EQ(trusted.Call(token_only).result_int(), 401U);
  // Empty project or user from the proxy: no identity.
  Request empty = trusted.As(Who{"x", "root", "", "admin"}, MakeRequest(V::get, "/v2.1/servers"));
  EXPECT_EQ(trusted.Call(empty).result_int(), 401U);
}

}  // namespace
}  // namespace actionlog::reliability
