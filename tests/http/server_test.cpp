// End-to-end: the server on 127.0.0.1 port 0, real sockets, started and stopped by each test.
#include "http/server.hpp"

#include <chrono>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <gtest/gtest.h>

#include "http_test_util.hpp"

namespace actionlog::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

class RunningServer {
 public:
  explicit RunningServer(ServerConfig config) {
    config.listen_host = "127.0.0.1";
    config.listen_port = 0;
    config.access_log = "";
    auto server = Server::Create(testing::MemoryJournal(), config);
    EXPECT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    EXPECT_TRUE(server_->Start());
    thread_ = std::thread([this] { server_->Run(false); });
  }

  ~RunningServer() { StopAndJoin(); }

  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  void StopAndJoin() {
    if (thread_.joinable()) {
      server_->Stop();
      thread_.join();
    }
  }

  std::uint16_t port() const { return server_->Port(); }

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

class Client {
 public:
  explicit Client(std::uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  Response Send(Request req) {
    req.set(bhttp::field::host, "127.0.0.1");
    req.prepare_payload();
    bhttp::write(socket_, req);
    return Receive();
  }

  void SendRaw(std::string_view bytes) { net::write(socket_, net::buffer(bytes)); }

  Response Receive() {
    Response res;
    boost::beast::error_code ec;
    bhttp::read(socket_, buffer_, res, ec);
    last_error_ = ec;
    return res;
  }

  // True when the peer closed the connection (read returns EOF).
  bool ClosedByPeer() {
    char byte = 0;
    boost::system::error_code ec;
    socket_.read_some(net::buffer(&byte, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

  boost::beast::error_code last_error() const { return last_error_; }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  boost::beast::error_code last_error_;
};

Request Get(std::string_view target, std::string_view token = {}) {
  return testing::MakeRequest(bhttp::verb::get, target, token);
}

TEST(ServerTest, KeepAliveAndRequestIds) {
  RunningServer server(ServerConfig{});
  Client client(server.port());
  auto a = client.Send(Get("/v2.1"));
  auto b = client.Send(Get("/v2.1"));
  EXPECT_EQ(a.result_int(), 200U);
  EXPECT_EQ(b.result_int(), 200U);
  EXPECT_NE(a["x-openstack-request-id"], b["x-openstack-request-id"]);
  EXPECT_TRUE(a.keep_alive());
  EXPECT_EQ(a.count(bhttp::field::date), 1U);
}

TEST(ServerTest, WritesThroughTheJournalApi) {
  RunningServer server(ServerConfig{});
  Client client(server.port());
  auto res = client.Send(testing::MakeRequest(
      bhttp::verb::put, "/journal/v1/instances/" + std::string(testing::kServer), testing::kService,
      R"({"instance": {"project_id": "projA"}})"));
  EXPECT_EQ(res.result_int(), 201U) << res.body();
  res = client.Send(Get("/v2.1/servers/" + std::string(testing::kServer) + "/os-instance-actions",
                        testing::kOwnerMember));
  EXPECT_EQ(res.result_int(), 200U);
  EXPECT_EQ(res.body(), R"({"instanceActions": []})");
}

TEST(ServerTest, LimitsAnswer4xx) {
  ServerConfig config;
  config.max_body_bytes = 64;
  config.max_url_bytes = 100;
  config.max_header_bytes = 1024;
  RunningServer server(config);
  {
    Client client(server.port());
    auto res =
        client.Send(testing::MakeRequest(bhttp::verb::post, "/journal/v1/instances/x/actions",
                                         testing::kService, std::string(1000, 'x')));
    EXPECT_EQ(res.result_int(), 413U);
  }
  {
    Client client(server.port());
    EXPECT_EQ(client.Send(Get("/v2.1/" + std::string(200, 'a'))).result_int(), 414U);
  }
  {
    Client client(server.port());
    auto req = Get("/v2.1");
    req.set("X-Big", std::string(4000, 'b'));
    EXPECT_EQ(client.Send(req).result_int(), 431U);
  }
  for (const std::string_view raw :
       {std::string_view("GARBAGE\r\n\r\n"), std::string_view("GET / HTTP/9.9\r\n\r\n"),
        std::string_view("GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n"),
        std::string_view("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n")}) {
    Client client(server.port());
    client.SendRaw(raw);
    EXPECT_EQ(client.Receive().result_int(), 400U) << raw;
  }
  {
    Client client(server.port());  // invalid percent-encoding and NUL escapes are plain data
    EXPECT_EQ(
        client.Send(Get("/v2.1/servers/%zz%00/os-instance-actions", testing::kAdmin)).result_int(),
        404U);
  }
}

TEST(ServerTest, IdleTimeoutClosesConnection) {
  ServerConfig config;
  config.idle_timeout = std::chrono::seconds(1);
  config.request_timeout = std::chrono::seconds(1);
  RunningServer server(config);
  Client client(server.port());
  const auto start = std::chrono::steady_clock::now();
  client.SendRaw("GET /v2.1 HTTP/1.1\r\nHost: x\r\n");  // never finishes its headers
  EXPECT_TRUE(client.ClosedByPeer());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ServerTest, ConnectionLimit) {
  ServerConfig config;
  config.max_connections = 1;
  RunningServer server(config);
  Client first(server.port());
  EXPECT_EQ(first.Send(Get("/v2.1")).result_int(), 200U);
  Client second(server.port());
  EXPECT_TRUE(second.ClosedByPeer());
  EXPECT_EQ(first.Send(Get("/v2.1")).result_int(), 200U);
}

TEST(ServerTest, GracefulStopClosesIdleConnectionsAndReturns) {
  RunningServer server(ServerConfig{});
  Client client(server.port());
  EXPECT_EQ(client.Send(Get("/")).result_int(), 200U);
  const auto start = std::chrono::steady_clock::now();
  server.StopAndJoin();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(client.ClosedByPeer());
}

}  // namespace
}  // namespace actionlog::http
