#include "hostile_fixture.hpp"

namespace actionlog::reliability {

using V = bhttp::verb;

http::ServerConfig HostileTest::SmallLimits() {
  http::ServerConfig config;
  config.io_threads = 2;
  config.write_threads = 2;
  config.max_body_bytes = std::size_t{256} * 1024;
  config.max_header_bytes = 4096;
  config.max_url_bytes = 2048;
  config.max_connections = 16;
  config.request_timeout = std::chrono::seconds(1);
  config.idle_timeout = std::chrono::seconds(1);
  return config;
}

void HostileTest::SetUp() {
  journal_ = MemoryJournal();
  ASSERT_NE(journal_, nullptr);
  server_ = std::make_unique<TestServer>(SmallLimits(), journal_);
  ASSERT_TRUE(server_->ok());
  RawClient c(port());
  ASSERT_TRUE(c.connected());
  auto put = c.Send(MakeRequest(V::put, InstanceUrl(), kService,
                                R"({"instance": {"project_id": "projA", "host": "c1"}})"));
  ASSERT_TRUE(put);
  ASSERT_EQ(put->result_int(), 201U) << put->body();
  auto start = c.Send(MakeRequest(V::post, InstanceUrl() + "/actions", kService,
                                  R"({"action": {"request_id": ")" + std::string(kRequestId) +
                                      R"(", "action": "reboot", "user_id": "alice",)"
                                      R"( "project_id": "projA"}})"));
  ASSERT_TRUE(start);
  ASSERT_EQ(start->result_int(), 201U) << start->body();
  auto ev = c.Send(MakeRequest(V::post, ActionUrl() + "/events", kService,
                               R"({"event": {"event": "compute_reboot", "host": "c1"}})"));
  ASSERT_TRUE(ev);
  ASSERT_EQ(ev->result_int(), 201U) << ev->body();
  auto got = c.Send(MakeRequest(V::get, ActionUrl(), kService));
  ASSERT_TRUE(got);
  ASSERT_EQ(got->result_int(), 200U);
  seeded_ = got->body();
}

void HostileTest::ExpectHealthy() {
  auto read = Exchange(port(), MakeRequest(V::get, NovaIndex(), kOwner));
  ASSERT_TRUE(read) << "no answer to a normal read";
  EXPECT_EQ(read->result_int(), 200U) << read->body();
  const std::string rid = "req-health-" + std::to_string(++health_writes_);
  auto write = Exchange(port(), MakeRequest(V::post, InstanceUrl() + "/actions", kService,
                                            R"({"action": {"request_id": ")" + rid +
                                                R"(", "action": "stop", "user_id": "alice",)"
                                                R"( "project_id": "projA"}})"));
  ASSERT_TRUE(write) << "no answer to a normal write";
  EXPECT_EQ(write->result_int(), 201U) << write->body();
}

void HostileTest::TearDown() {
  if (server_ == nullptr || !server_->ok()) {
    return;
  }
  ExpectHealthy();
  auto got = Exchange(port(), MakeRequest(V::get, ActionUrl(), kService));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body(), seeded_) << "the record written before the hostile input changed";
  auto report = journal_->Verify();
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_TRUE(server_->StopWithin(std::chrono::seconds(10))) << "graceful stop hung";
}

}  // namespace actionlog::reliability
