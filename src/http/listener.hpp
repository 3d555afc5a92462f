// Accepts TCP connections and starts a Session for each, up to max_connections (beyond that a
// new connection is closed at once). Runs on its own strand.
#pragma once

#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "actionlog/core/error.hpp"
#include "http/server_state.hpp"

namespace actionlog::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& ioc, std::shared_ptr<ServerState> state);

  // Opens, binds and listens. kUnavailable when the address cannot be bound.
  Status Open(const boost::asio::ip::tcp::endpoint& endpoint);
  void Run();
  void Close();

  boost::asio::ip::tcp::endpoint LocalEndpoint() const;

 private:
  void DoAccept();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<ServerState> state_;
};

}  // namespace actionlog::http
