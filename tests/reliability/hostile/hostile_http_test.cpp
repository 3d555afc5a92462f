// Hostile input at the HTTP layer, over real sockets: malformed requests, smuggling attempts,
// bad chunked encoding, pipelined garbage, oversized requests, slow clients and idle
// connections beyond the connection limit (docs/reliability.md, "Hostile input").
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "hostile_fixture.hpp"

namespace actionlog::reliability {
namespace {

using namespace std::chrono_literals;

constexpr unsigned kClosed = 0;  // no response: the server closes the connection

struct RawCase {
  const char* name;
  std::string bytes;
  unsigned status;  // expected status, or kClosed
};

std::string Post(std::string_view target, std::string_view headers, std::string_view body) {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + std::string(kService) +
         "\r\nContent-Type: application/json\r\n" + std::string(headers) + "\r\n" +
         std::string(body);
}

std::vector<RawCase> MalformedRequests() {
  const std::string actions = "/journal/v1/instances/" + std::string(kServer) + "/actions";
  using namespace std::string_literals;
  const std::string kAuth = "X-Auth-Token: " + std::string(kAdmin) + "\r\n";
  return {
      {"http09-no-version", "GET /v2.1\r\n\r\n", 400},
      {"http-version-0.9", "GET /v2.1 HTTP/0.9\r\nHost: x\r\n\r\n", 400},
      {"http-version-2.0", "GET /v2.1 HTTP/2.0\r\nHost: x\r\n\r\n", 400},
      {"http-version-letters", "GET /v2.1 HTTP/a.b\r\nHost: x\r\n\r\n", 400},
      {"lowercase-http-name", "GET /v2.1 http/1.1\r\nHost: x\r\n\r\n", 400},
      {"double-space-request-line", "GET  /v2.1 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"tab-in-request-line", "GET\t/v2.1 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"nul-in-target", "GET /v2.1\0x HTTP/1.1\r\nHost: x\r\n\r\n"s, 400},
      {"space-in-target", "GET /v2.1/servers x HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"bare-lf-line-endings", "GET /v2.1 HTTP/1.1\nHost: x\n\n", 400},
      {"header-without-colon", "GET /v2.1 HTTP/1.1\r\nHost x\r\n\r\n", 400},
      {"space-before-colon", "GET /v2.1 HTTP/1.1\r\nHost : x\r\n\r\n", 400},
      {"bad-header-name", "GET /v2.1 HTTP/1.1\r\nX(A): b\r\n\r\n", 400},
      {"empty-header-name", "GET /v2.1 HTTP/1.1\r\n: b\r\n\r\n", 400},
      {"nul-in-header-value", "GET /v2.1 HTTP/1.1\r\nX-A: a\0b\r\n\r\n"s, 400},
      {"ctl-in-header-value", "GET /v2.1 HTTP/1.1\r\nX-A: a\x01z\r\n\r\n", 400},
      {"nul-in-token", "GET /v2.1/servers HTTP/1.1\r\nX-Auth-Token: a:b\0c\r\n\r\n"s, 400},
      {"unknown-method-nova", "BREW /v2.1/servers HTTP/1.1\r\nHost: x\r\n" + kAuth + "\r\n", 404},
      {"unknown-method-journal", "BREW /journal/v1/verify HTTP/1.1\r\nHost: x\r\n" + kAuth + "\r\n",
       405},
      {"lowercase-method", "get /v2.1 HTTP/1.1\r\nHost: x\r\n" + kAuth + "\r\n", 404},
      {"absolute-form-target", "GET http://127.0.0.1/v2.1 HTTP/1.1\r\nHost: x\r\n" + kAuth + "\r\n",
       404},
      {"asterisk-target", "OPTIONS * HTTP/1.1\r\nHost: x\r\n" + kAuth + "\r\n", 404},
      {"authority-target", "CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n" + kAuth + "\r\n", 404},
      {"content-length-negative", Post(actions, "Content-Length: -1\r\n", ""), 400},
      {"content-length-plus", Post(actions, "Content-Length: +2\r\n", "{}"), 400},
      {"content-length-overflow",
       Post(actions, "Content-Length: 99999999999999999999999999\r\n", "{}"), 400},
      {"content-length-twice-different",
       Post(actions, "Content-Length: 2\r\nContent-Length: 3\r\n", "{}x"), 400},
      {"content-length-list", Post(actions, "Content-Length: 2, 3\r\n", "{}x"), 400},
      {"content-length-and-chunked",
       Post(actions, "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400},
      {"transfer-encoding-gzip-only", Post(actions, "Transfer-Encoding: gzip\r\n", "{}"), 400},
      {"transfer-encoding-unknown", Post(actions, "Transfer-Encoding: bogus\r\n", "{}"), 400},
      {"chunk-size-not-hex",
       Post(actions, "Transfer-Encoding: chunked\r\n", "zz\r\n{}\r\n0\r\n\r\n"), 400},
      {"chunk-size-overflow",
       Post(actions, "Transfer-Encoding: chunked\r\n", "ffffffffffffffffffffff\r\n{}\r\n"), 400},
      {"chunk-size-negative", Post(actions, "Transfer-Encoding: chunked\r\n", "-2\r\n{}\r\n"), 400},
      {"chunk-data-without-crlf",
       Post(actions, "Transfer-Encoding: chunked\r\n", "2\r\n{}XX0\r\n\r\n"), 400},
      {"chunk-extension-ctl",
       Post(actions, "Transfer-Encoding: chunked\r\n", "2;\x01\r\n{}\r\n0\r\n\r\n"), 400},
      {"chunk-over-body-limit",
       Post(actions, "Transfer-Encoding: chunked\r\n", "100000\r\n" + std::string(1000, ' ')), 413},
      {"chunks-summing-over-body-limit",
       Post(actions, "Transfer-Encoding: chunked\r\n",
            [] {
              std::string chunks;
              for (int i = 0; i < 70; ++i) {
                chunks += "1000\r\n" + std::string(0x1000, ' ') + "\r\n";
              }
              return chunks;
            }()),
       413},
      {"get-with-body-over-limit",
       "GET /v2.1 HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n", 413},
      {"url-over-header-and-url-limits",
       "GET /v2.1/servers?" + std::string(8000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 431},
      {"query-over-url-limit",
       "GET /v2.1/servers?name=" + std::string(2100, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
      {"many-small-headers-over-limit",
       "GET /v2.1 HTTP/1.1\r\n" +
           [] {
             std::string h;
             for (int i = 0; i < 2000; ++i) {
               h += "X-" + std::to_string(i) + ": v\r\n";
             }
             return h;
           }() +
           "\r\n",
       431},
      // Incomplete requests are closed when request_timeout expires.
      {"headers-never-finished", "GET /v2.1 HTTP/1.1\r\nHost: x\r\n", kClosed},
      {"body-shorter-than-content-length", Post(actions, "Content-Length: 100\r\n", "{\"a"),
       kClosed},
      {"chunked-never-terminated", Post(actions, "Transfer-Encoding: chunked\r\n", "2\r\n{}\r\n"),
       kClosed},
  };
}

TEST_F(HostileTest, MalformedHttpGets4xxOrIsClosed) {
  for (const RawCase& c : MalformedRequests()) {
    SCOPED_TRACE(c.name);
    RawClient client(port(), 4s);
    ASSERT_TRUE(client.connected());
    client.Write(c.bytes);  // the server may close before reading everything
    const auto start = std::chrono::steady_clock::now();
    auto res = client.Read();
    if (c.status == kClosed) {
      EXPECT_FALSE(res) << "unexpected " << res->result_int() << ": " << res->body();
      EXPECT_NE(client.last_error(), boost::beast::error::timeout) << "server did not close";
      EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
      continue;
    }
    ASSERT_TRUE(res) << "no response: " << client.last_error().message();
    EXPECT_EQ(res->result_int(), c.status) << res->body();
    EXPECT_NE(res->result_int(), 500U);
    if (res->result_int() >= 400 && res->result_int() != 404 && res->result_int() != 405) {
      // After a protocol error the server closes the connection rather than resynchronise.
      EXPECT_TRUE(client.ClosedByPeer()) << "connection left open after a protocol error";
    }
  }
}

// Obsolete line folding is unfolded into one space (RFC 9112 §5.2 allows this or a 400): the
// continuation line belongs to the header above it, never becomes a header of its own.
TEST_F(HostileTest, ObsoleteLineFoldingIsUnfolded) {
  RawClient client(port());
  ASSERT_TRUE(
      client.Write("GET /journal/v1/verify HTTP/1.1\r\nHost: x\r\nX-Auth-Token: "
                   "root:adminproj:\r\n admin\r\n\r\n"));
  auto res = client.Read();
  ASSERT_TRUE(res) << client.last_error().message();
  EXPECT_EQ(res->result_int(), 200U) << res->body();
  ASSERT_TRUE(client.Write(
      "GET /journal/v1/verify HTTP/1.1\r\nHost: x\r\nX-Auth-Token: root:adminproj:member\r\n"
      " X-Roles: admin\r\n\r\n"));
  res = client.Read();
  ASSERT_TRUE(res) << client.last_error().message();
  EXPECT_EQ(res->result_int(), 403U) << res->body();
}

// The client is still sending a body the server has refused: it must read the 413, not a
// connection reset (the server drains the rest before closing).
TEST_F(HostileTest, RefusedBodyStillGetsItsAnswer) {
  const std::string body(600 * 1024, ' ');
  for (int i = 0; i < 5; ++i) {
    SCOPED_TRACE(i);
    RawClient client(port());
    ASSERT_TRUE(client.Write(Post(InstanceUrl() + "/actions",
                                  "Content-Length: " + std::to_string(body.size()) + "\r\n", body)))
        << client.last_error().message();
    auto res = client.Read();
    ASSERT_TRUE(res) << client.last_error().message();
    EXPECT_EQ(res->result_int(), 413U);
    EXPECT_TRUE(client.ClosedByPeer());
  }
  RawClient client(port());
  ASSERT_TRUE(client.Write("GARBAGE\r\n\r\n" + std::string(200 * 1024, 'x')))
      << client.last_error().message();
  auto res = client.Read();
  ASSERT_TRUE(res) << client.last_error().message();
  EXPECT_EQ(res->result_int(), 400U);
}

TEST_F(HostileTest, PipelinedGarbageAfterAValidRequest) {
  RawClient client(port());
  ASSERT_TRUE(
      client.Write("GET /v2.1 HTTP/1.1\r\nHost: x\r\n\r\nGET /v2.1 HTTP/1.1\r\nHost: x\r\n\r\n"
                   "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n"));
  auto first = client.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->result_int(), 200U);
  auto second = client.Read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->result_int(), 200U);
  auto third = client.Read();
  ASSERT_TRUE(third) << client.last_error().message();
  EXPECT_EQ(third->result_int(), 400U);
  EXPECT_TRUE(client.ClosedByPeer());
}

TEST_F(HostileTest, PipelinedWritesAnswerInOrder) {
  std::string batch;
  for (int i = 0; i < 20; ++i) {
    batch += Serialize(MakeRequest(bhttp::verb::post, InstanceUrl() + "/actions", kService,
                                   R"({"action": {"request_id": "req-pipe-)" + std::to_string(i) +
                                       R"(", "action": "stop", "user_id": "u",)"
                                       R"( "project_id": "projA"}})"));
    batch += Serialize(MakeRequest(bhttp::verb::get, NovaIndex(), kOwner));
  }
  RawClient client(port());
  ASSERT_TRUE(client.Write(batch));
  for (int i = 0; i < 20; ++i) {
    auto write = client.Read();
    ASSERT_TRUE(write) << i << ": " << client.last_error().message();
    EXPECT_EQ(write->result_int(), 201U) << write->body();
    EXPECT_NE(write->body().find("req-pipe-" + std::to_string(i) + "\""), std::string::npos);
    auto read = client.Read();
    ASSERT_TRUE(read);
    EXPECT_EQ(read->result_int(), 200U);
    EXPECT_NE(read->body().find("req-pipe-" + std::to_string(i) + "\""), std::string::npos);
  }
}

TEST_F(HostileTest, ExpectContinueWithoutBodyIsClosed) {
  RawClient client(port(), 4s);
  ASSERT_TRUE(client.Write(
      Post(InstanceUrl() + "/actions", "Content-Length: 50\r\nExpect: 100-continue\r\n", "")));
  auto interim = client.Read();  // beast reads the 100 as a complete response
  ASSERT_TRUE(interim) << client.last_error().message();
  EXPECT_EQ(interim->result_int(), 100U);
  EXPECT_TRUE(client.ClosedByPeer());
}

// Slowloris: bytes keep arriving, but the whole request must arrive within request_timeout.
TEST_F(HostileTest, SlowlorisHeadersAreCutAtTheRequestTimeout) {
  RawClient client(port(), 4s);
  ASSERT_TRUE(client.Write("GET /v2.1 HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  const auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration cut{};
  while (std::chrono::steady_clock::now() - start < 3s) {
    if (!client.Write("a")) {
      cut = std::chrono::steady_clock::now() - start;
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  if (cut == std::chrono::steady_clock::duration{}) {
    EXPECT_TRUE(client.ClosedByPeer()) << "trickled headers kept the connection open for 3 s";
  } else {
    EXPECT_LT(cut, 3s);
  }
}

TEST_F(HostileTest, SlowlorisBodyIsCutAtTheRequestTimeout) {
  RawClient client(port(), 4s);
  ASSERT_TRUE(client.Write(Post(InstanceUrl() + "/actions", "Content-Length: 1000\r\n", "{")));
  const auto start = std::chrono::steady_clock::now();
  bool cut = false;
  while (std::chrono::steady_clock::now() - start < 3s) {
    if (!client.Write(" ")) {
      cut = true;
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(cut || client.ClosedByPeer()) << "trickled body kept the connection open for 3 s";
}

// Idle connections fill the connection limit; the server refuses more at once while they are
// open (well before the request timeout), closes them at the request timeout, and then serves
// again. A server of its own, with a longer timeout that tells "at once" from "at the timeout".
TEST_F(HostileTest, IdleConnectionsBeyondTheLimitAreShedAndExpire) {
  http::ServerConfig config = SmallLimits();
  config.max_connections = 6;
  config.request_timeout = std::chrono::seconds(3);
  config.idle_timeout = std::chrono::seconds(3);
  TestServer server(config, MemoryJournal());
  ASSERT_TRUE(server.ok());
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < config.max_connections; ++i) {
    idle.push_back(std::make_unique<RawClient>(server.port(), 6s));
    ASSERT_TRUE(idle.back()->connected());
  }
  const auto opened = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(300ms);  // let the server accept them all
  for (int i = 0; i < 5; ++i) {
    RawClient extra(server.port(), 6s);
    ASSERT_TRUE(extra.connected());  // the kernel completes the handshake
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(extra.ClosedByPeer()) << "connection " << i << " beyond the limit was kept";
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms) << "not refused at once";
  }
  for (auto& c : idle) {
    EXPECT_TRUE(c->ClosedByPeer()) << "an idle connection outlived the request timeout";
  }
  EXPECT_LT(std::chrono::steady_clock::now() - opened, 5s);
  std::this_thread::sleep_for(100ms);
  RawClient client(server.port());
  auto res = client.Send(MakeRequest(bhttp::verb::get, "/v2.1"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200U);
  EXPECT_TRUE(server.StopWithin(std::chrono::seconds(10)));
}

TEST_F(HostileTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  RawClient client(port(), 4s);
  auto res = client.Send(MakeRequest(bhttp::verb::get, "/v2.1"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200U);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.ClosedByPeer());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

// A client that sends requests but never reads the answers: the server's writes time out and it
// drops the connection instead of buffering without bound.
TEST_F(HostileTest, ClientThatNeverReadsIsDropped) {
  // Large answers (a 60 KB traceback) fill the server's send buffer after a few dozen requests.
  const std::string big = InstanceUrl() + "/actions/req-big";
  ASSERT_EQ(Exchange(port(), MakeRequest(bhttp::verb::post, InstanceUrl() + "/actions", kService,
                                         R"({"action": {"request_id": "req-big", "action": "x",)"
                                         R"( "user_id": "u", "project_id": "projA"}})"))
                ->result_int(),
            201U);
  ASSERT_EQ(Exchange(port(), MakeRequest(bhttp::verb::post, big + "/events", kService,
                                         R"({"event": {"event": "e"}})"))
                ->result_int(),
            201U);
  ASSERT_EQ(Exchange(port(), MakeRequest(bhttp::verb::post, big + "/events/e/finish", kService,
                                         R"({"result": "Error", "traceback": ")" +
                                             std::string(60000, 't') + "\"}"))
                ->result_int(),
            200U);
  RawClient client(port(), 10s);
  ASSERT_TRUE(client.connected());
  client.SetReceiveBuffer(4096);
  const std::string one = Serialize(MakeRequest(bhttp::verb::get, big, kService));
  std::string batch;
  while (batch.size() < std::size_t{64} * 1024) {
    batch += one;
  }
  // Push requests without reading until the connection stops taking them for a while.
  const auto start = std::chrono::steady_clock::now();
  auto last_progress = start;
  std::size_t offset = 0;
  while (std::chrono::steady_clock::now() - last_progress < 300ms) {
    ASSERT_LT(std::chrono::steady_clock::now() - start, 15s) << "the server kept reading";
    const std::size_t n = client.WriteSome(std::string_view(batch).substr(offset));
    if (n > 0) {
      offset = (offset + n) % batch.size();
      last_progress = std::chrono::steady_clock::now();
    } else {
      std::this_thread::sleep_for(20ms);
    }
  }
  // The server's write to this client times out: it closes its end (it may linger in FIN-WAIT
  // in the kernel, but it is no longer established).
  const auto stalled = std::chrono::steady_clock::now();
  std::string state = ServerSocketState(port(), client.local_port());
  while (state == "01" && std::chrono::steady_clock::now() - stalled < 8s) {
    std::this_thread::sleep_for(50ms);
    state = ServerSocketState(port(), client.local_port());
  }
  EXPECT_NE(state, "01") << "the server kept a stalled connection established";
}

}  // namespace
}  // namespace actionlog::reliability
