// One HTTP/1.1 connection: reads requests with size limits and timeouts, hands each to the
// Service (durable writes on the write pool, reads inline), writes the response, keeps the
// connection alive when allowed, and writes one access-log line per request.
// All handlers run on the connection's strand. Exceptions never leave a session.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include "http/http_types.hpp"
#include "http/server_state.hpp"

namespace actionlog::http {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerState> state,
          std::uint64_t id);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Start();
  // Graceful stop: an idle connection is closed now, a busy one after its response.
  void Shutdown();

 private:
  void DoRead();
  void OnHeader(boost::beast::error_code ec);
  void OnRead(boost::beast::error_code ec);
  void Process();
  void Reply(Response res);
  void OnWrite(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
  void ReplyError(unsigned status, std::string_view message);
  void Drain(std::size_t budget);
  void Close();
  void LogAccess(std::size_t bytes);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<Response> response_;
  std::shared_ptr<ServerState> state_;
  std::uint64_t id_;
  std::string peer_;
  AccessInfo access_;
  std::chrono::steady_clock::time_point started_;
  std::string method_;
  std::string target_;
  bool first_request_ = true;
  bool busy_ = false;
  bool stopping_ = false;
  bool closed_ = false;
  bool linger_ = false;  // after an error reply: read what the client still sends, then close
};

}  // namespace actionlog::http
