#include "http/listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "http/session.hpp"

namespace actionlog::http {

namespace net = boost::asio;

Listener::Listener(net::io_context& ioc, std::shared_ptr<ServerState> state)
    : ioc_(ioc), acceptor_(net::make_strand(ioc)), state_(std::move(state)) {}

Status Listener::Open(const net::ip::tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor_.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return MakeError(ErrorCode::kUnavailable, "cannot listen on " + endpoint.address().to_string() +
                                                  ":" + std::to_string(endpoint.port()) + ": " +
                                                  ec.message());
  }
  return OkStatus();
}

net::ip::tcp::endpoint Listener::LocalEndpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void Listener::Run() {
  net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->DoAccept(); });
}

void Listener::Close() {
  net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
  });
}

void Listener::DoAccept() {
  acceptor_.async_accept(
      net::make_strand(ioc_),
      [self = shared_from_this()](boost::system::error_code ec, net::ip::tcp::socket socket) {
        self->OnAccept(ec, std::move(socket));
      });
}

void Listener::OnAccept(boost::system::error_code ec, net::ip::tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) {
    return;
  }
  if (!ec) {
    if (state_->stopping.load() ||
        state_->connections.load(std::memory_order_relaxed) >= state_->config.max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      socket.set_option(net::ip::tcp::no_delay(true), ec);
      std::shared_ptr<Session> session;
      {
        const std::lock_guard<std::mutex> lock(state_->mutex);
        const std::uint64_t id = state_->next_session_id++;
        session = std::make_shared<Session>(std::move(socket), state_, id);
        state_->sessions.emplace(id, session);
      }
      session->Start();
    }
  } else {
    spdlog::warn("accept failed: {}", ec.message());
  }
  DoAccept();
}

}  // namespace actionlog::http
