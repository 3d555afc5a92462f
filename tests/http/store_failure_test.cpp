// Store failures surface as 503 / 500 / 501 faults, never as crashes or leaked internals.
#include <gtest/gtest.h>

#include "http/service.hpp"
#include "http_test_util.hpp"

namespace actionlog::http {
namespace {

class FailingStore : public store::Store {
 public:
  explicit FailingStore(ErrorCode code) : code_(code) {}

  Status Read(const store::ReadFn& /*fn*/) override { return Fail(); }

  Status Write(const store::WriteFn& /*fn*/) override { return Fail(); }

  Result<int> SchemaVersion() override { return store::kSchemaVersion; }

  Status Upgrade() override { return OkStatus(); }

  std::string_view Backend() const override { return "failing"; }

 private:
  Error Fail() const { return MakeError(code_, "secret internal detail"); }

  ErrorCode code_;
};

Response CallWith(ErrorCode code, bhttp::verb method, const std::string& target,
                  std::string body = {}) {
  auto journal = std::make_shared<Journal>(std::make_shared<FailingStore>(code));
  auto auth = Authenticator::Create(AuthMode::kNoAuth, {}, "");
  Service service(journal, std::move(*auth), ServiceOptions{});
  AccessInfo access;
  return service.Handle(testing::MakeRequest(method, target, testing::kAdmin, std::move(body)),
                        ClientInfo{"127.0.0.1"}, access);
}

TEST(StoreFailureTest, MapsToFaults) {
  const std::string index =
      "/v2.1/servers/" + std::string(testing::kServer) + "/os-instance-actions";
  const std::string put = "/journal/v1/instances/" + std::string(testing::kServer);
  const std::string body = R"({"instance": {"project_id": "p"}})";

  struct Case {
    ErrorCode code;
    unsigned status;
    const char* fault;
  };

  for (const Case c : {Case{ErrorCode::kUnavailable, 503, "serviceUnavailable"},
                       Case{ErrorCode::kDataLoss, 500, "computeFault"},
                       Case{ErrorCode::kInternal, 500, "computeFault"},
                       Case{ErrorCode::kUnsupported, 501, "notImplemented"}}) {
    for (const Response& res :
         {CallWith(c.code, bhttp::verb::get, index), CallWith(c.code, bhttp::verb::put, put, body),
          CallWith(c.code, bhttp::verb::get, "/journal/v1/verify")}) {
      EXPECT_EQ(res.result_int(), c.status) << res.body();
      EXPECT_NE(res.body().find(c.fault), std::string::npos) << res.body();
      if (c.status == 500 || c.status == 503) {
        EXPECT_EQ(res.body().find("secret"), std::string::npos) << res.body();
      }
    }
  }
}

}  // namespace
}  // namespace actionlog::http
