#include "http_test_util.hpp"

#include <gtest/gtest.h>

#include "actionlog/store/open_store.hpp"

namespace actionlog::http::testing {

std::shared_ptr<Journal> MemoryJournal() {
  store::StoreOptions options;
  options.url = "sqlite://:memory:";
  auto store = store::OpenStore(options);
  EXPECT_TRUE(store) << store.error().message;
  return std::make_shared<Journal>(std::shared_ptr<store::Store>(std::move(*store)));
}

Request MakeRequest(bhttp::verb method, std::string_view target, std::string_view token,
                    std::string body, std::string_view microversion) {
  Request req{method, target, 11};
  req.set(bhttp::field::host, "api.example:8774");
  if (!token.empty()) {
    req.set("X-Auth-Token", token);
  }
  if (!microversion.empty()) {
    req.set("OpenStack-API-Version", "compute " + std::string(microversion));
  }
  if (!body.empty()) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
  }
  return req;
}

ServiceFixture::ServiceFixture() : journal_(MemoryJournal()) {
  auto auth = Authenticator::Create(AuthMode::kNoAuth, {}, "");
  EXPECT_TRUE(auth);
  service_ = std::make_unique<Service>(journal_, std::move(*auth), ServiceOptions{});
}

Response ServiceFixture::Call(bhttp::verb method, std::string_view target, std::string_view token,
                              std::string body, std::string_view microversion) {
  AccessInfo access;
  return service_->Handle(MakeRequest(method, target, token, std::move(body), microversion),
                          ClientInfo{"127.0.0.1"}, access);
}

void ServiceFixture::Seed() {
  const std::string base = "/journal/v1/instances/" + std::string(kServer);
  auto put = Call(bhttp::verb::put, base, kService,
                  R"({"instance": {"project_id": "projA", "user_id": "alice", "host": "c1"}})");
  ASSERT_EQ(put.result_int(), 201U) << put.body();
  auto start = Call(bhttp::verb::post, base + "/actions", kService,
                    R"({"action": {"request_id": ")" + std::string(kRequestId) +
                        R"(", "action": "reboot", "user_id": "alice", "project_id": "projA",)"
                        R"( "start_time": "2026-01-01T00:00:00Z"}})");
  ASSERT_EQ(start.result_int(), 201U) << start.body();
  const std::string action = base + "/actions/" + std::string(kRequestId);
  auto ev = Call(bhttp::verb::post, action + "/events", kService,
                 R"({"event": {"event": "compute_reboot", "host": "c1",)"
                 R"( "start_time": "2026-01-01T00:00:01Z"}})");
  ASSERT_EQ(ev.result_int(), 201U) << ev.body();
  auto fin = Call(bhttp::verb::post, action + "/events/compute_reboot/finish", kService,
                  R"({"result": "Error", "details": "boom", "traceback": "Traceback...",)"
                  R"( "finish_time": "2026-01-01T00:00:02Z"})");
  ASSERT_EQ(fin.result_int(), 200U) << fin.body();
}

}  // namespace actionlog::http::testing
