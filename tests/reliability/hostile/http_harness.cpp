#include "http_harness.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <gtest/gtest.h>

#include "actionlog/store/open_store.hpp"

namespace actionlog::reliability {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

std::shared_ptr<Journal> MemoryJournal() {
  store::StoreOptions options;
  options.url = "sqlite://:memory:";
  auto store = store::OpenStore(options);
  EXPECT_TRUE(store) << store.error().message;
  if (!store) {
    return nullptr;
  }
  return std::make_shared<Journal>(std::shared_ptr<store::Store>(std::move(*store)));
}

TestServer::TestServer(http::ServerConfig config, std::shared_ptr<Journal> journal)
    : journal_(std::move(journal)) {
  config.listen_host = "127.0.0.1";
  config.listen_port = 0;
  config.access_log = "";
  auto server = http::Server::Create(journal_, config);
  EXPECT_TRUE(server) << server.error().message;
  if (!server) {
    return;
  }
  const Status started = (*server)->Start();
  EXPECT_TRUE(started) << started.error().message;
  if (!started) {
    return;
  }
  server_ = std::move(*server);
  port_ = server_->Port();
  thread_ = std::thread([this] { server_->Run(false); });
}

TestServer::~TestServer() { StopWithin(std::chrono::seconds(10)); }

bool TestServer::StopWithin(std::chrono::seconds limit) {
  if (!thread_.joinable()) {
    return true;
  }
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  thread_.join();
  return std::chrono::steady_clock::now() - start < limit;
}

Request MakeRequest(bhttp::verb method, std::string_view target, std::string_view token,
                    std::string body, std::string_view microversion) {
  Request req{method, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  if (!token.empty()) {
    req.set("X-Auth-Token", token);
  }
  if (!microversion.empty()) {
    req.set("OpenStack-API-Version", "compute " + std::string(microversion));
  }
  if (!body.empty()) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = std::move(body);
  }
  req.prepare_payload();
  return req;
}

std::string Serialize(Request req) {
  std::ostringstream out;
  out << req;
  return out.str();
}

RawClient::RawClient(std::uint16_t port, std::chrono::milliseconds timeout,
                     std::string_view local_address)
    : stream_(ioc_), timeout_(timeout) {
  beast::error_code ec;
  const tcp::endpoint server(net::ip::make_address("127.0.0.1"), port);
  if (!local_address.empty()) {
    stream_.socket().open(tcp::v4(), ec);
    if (!ec) {
      stream_.socket().bind(tcp::endpoint(net::ip::make_address(local_address, ec), 0), ec);
    }
    if (ec) {
      last_error_ = ec;
      return;
    }
  }
  stream_.expires_after(timeout_);
  stream_.async_connect(server, [&](beast::error_code e) { ec = e; });
  ioc_.restart();
  ioc_.run();
  last_error_ = ec;
  connected_ = !ec;
}

bool RawClient::Write(std::string_view bytes) {
  if (!connected_) {
    return false;
  }
  beast::error_code ec;
  stream_.expires_after(timeout_);
  net::async_write(stream_, net::buffer(bytes), [&](beast::error_code e, std::size_t) { ec = e; });
  ioc_.restart();
  ioc_.run();
  last_error_ = ec;
  return !ec;
}

std::optional<Response> RawClient::Read(bool head) {
  if (!connected_) {
    return std::nullopt;
  }
  beast::error_code ec;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::size_t{64} << 20);
  parser.header_limit(std::uint32_t{1} << 20);
  parser.skip(head);
  stream_.expires_after(timeout_);
  bhttp::async_read(stream_, buffer_, parser, [&](beast::error_code e, std::size_t) { ec = e; });
  ioc_.restart();
  ioc_.run();
  last_error_ = ec;
  if (ec) {
    return std::nullopt;
  }
  return parser.release();
}

void RawClient::SetReceiveBuffer(int bytes) {
  beast::error_code ec;
  stream_.socket().set_option(net::socket_base::receive_buffer_size(bytes), ec);
}

std::size_t RawClient::WriteSome(std::string_view bytes) {
  beast::error_code ec;
  stream_.socket().non_blocking(true, ec);
  const std::size_t n = stream_.socket().write_some(net::buffer(bytes), ec);
  last_error_ = ec;
  stream_.socket().non_blocking(false, ec);
  return n;
}

std::uint16_t RawClient::local_port() const {
  beast::error_code ec;
  return stream_.socket().local_endpoint(ec).port();
}

std::optional<Response> RawClient::Send(Request req) {
  const bool head = req.method() == bhttp::verb::head;
  if (!Write(Serialize(std::move(req)))) {
    return std::nullopt;
  }
  return Read(head);
}

bool RawClient::ClosedByPeer() {
  if (!connected_) {
    return true;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  buffer_.clear();
  std::array<char, 4096> scratch{};
  while (std::chrono::steady_clock::now() < deadline) {
    beast::error_code ec;
    stream_.expires_at(deadline);
    stream_.async_read_some(net::buffer(scratch),
                            [&](beast::error_code e, std::size_t) { ec = e; });
    ioc_.restart();
    ioc_.run();
    last_error_ = ec;
    if (ec == net::error::eof || ec == net::error::connection_reset) {
      return true;
    }
    if (ec) {
      return false;  // timeout (the connection stayed open) or another error
    }
  }
  return false;
}

std::optional<Response> Exchange(std::uint16_t port, Request req) {
  RawClient client(port);
  return client.Send(std::move(req));
}

std::string ServerSocketState(std::uint16_t server_port, std::uint16_t client_port) {
  // Lines: "sl local_address rem_address st ...", addresses as "0100007F:1F90" (hex port).
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);
  char local[32];
  char remote[32];
  std::snprintf(local, sizeof local, "0100007F:%04X", server_port);
  std::snprintf(remote, sizeof remote, "0100007F:%04X", client_port);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string sl;
    std::string l;
    std::string r;
    std::string st;
    fields >> sl >> l >> r >> st;
    if (l == local && r == remote) {
      return st;
    }
  }
  return "";
}

std::vector<std::string> FindMarkers(std::string_view text,
                                     const std::vector<std::string>& markers) {
  std::vector<std::string> found;
  for (const std::string& m : markers) {
    if (!m.empty() && text.find(m) != std::string_view::npos) {
      found.push_back(m);
    }
  }
  return found;
}

std::string WholeResponse(const Response& res) {
  std::ostringstream out;
  out << res.base() << res.body();
  return out.str();
}

}  // namespace actionlog::reliability
