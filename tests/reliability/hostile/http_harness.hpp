// Helpers for the reliability tests of the HTTP service: the real server on 127.0.0.1 port 0
// over a journal the test keeps a handle on, and a raw TCP client whose every operation is
// bounded by a timeout (so a server that hangs fails the test instead of blocking it).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "actionlog/core/journal.hpp"
#include "http/config.hpp"
#include "http/http_types.hpp"
#include "http/server.hpp"

namespace actionlog::reliability {

using http::Request;
using http::Response;
namespace bhttp = boost::beast::http;

// A Journal on SQLite in memory.
std::shared_ptr<Journal> MemoryJournal();

// Server::Create → Start → Run on a thread; Stop and join on destruction. Listens on 127.0.0.1,
// port 0, without an access log.
class TestServer {
 public:
  TestServer(http::ServerConfig config, std::shared_ptr<Journal> journal);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  bool ok() const { return server_ != nullptr; }

  std::uint16_t port() const { return port_; }

  Journal& journal() { return *journal_; }

  // Stops the server; true when Run() returned within `limit`.
  bool StopWithin(std::chrono::seconds limit);

 private:
  std::shared_ptr<Journal> journal_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

// A request as the tests send it: Host set, noauth/tokens token in X-Auth-Token, optional
// microversion and JSON body.
Request MakeRequest(bhttp::verb method, std::string_view target, std::string_view token = {},
                    std::string body = {}, std::string_view microversion = {});

// The bytes of a serialized request.
std::string Serialize(Request req);

class RawClient {
 public:
  // Connects to 127.0.0.1:port (optionally from a given local address); every later operation
  // gives up after `timeout`.
  explicit RawClient(std::uint16_t port,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000),
                     std::string_view local_address = {});

  bool connected() const { return connected_; }

  // Writes all bytes; false when the connection failed or the timeout expired.
  bool Write(std::string_view bytes);

  // Reads one response (to a HEAD request: headers only); nullopt on timeout, close or parse
  // error (see last_error()).
  std::optional<Response> Read(bool head = false);

  // Serializes `req`, writes it and reads the response.
  std::optional<Response> Send(Request req);

  // True when the server closes the connection (EOF or reset) within the timeout; whatever it
  // sends before is discarded.
  bool ClosedByPeer();

  boost::beast::error_code last_error() const { return last_error_; }

  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

  // Shrinks the socket's receive buffer (a client that reads slowly).
  void SetReceiveBuffer(int bytes);

  // Writes what the socket takes without blocking; the number of bytes taken (0 when full).
  std::size_t WriteSome(std::string_view bytes);

  std::uint16_t local_port() const;

 private:
  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
  boost::beast::error_code last_error_;
  bool connected_ = false;
};

// One request on a fresh connection; nullopt when no complete response came back in time.
std::optional<Response> Exchange(std::uint16_t port, Request req);

// The state of the server's end of a loopback TCP connection from /proc/net/tcp ("01"
// established, "04" FIN-WAIT-1, ...), or "" when the server holds no such socket any more.
std::string ServerSocketState(std::uint16_t server_port, std::uint16_t client_port);

// The strings of `markers` that occur in `text` (empty: none).
std::vector<std::string> FindMarkers(std::string_view text,
                                     const std::vector<std::string>& markers);

// Headers and body of a response as one string, for marker searches.
std::string WholeResponse(const Response& res);

}  // namespace actionlog::reliability
