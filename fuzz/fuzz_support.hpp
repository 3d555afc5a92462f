// Shared pieces of the fuzz targets: journals on SQLite in memory, requests decoded from a
// readable text form, the properties every response must have, and in-memory files for the
// parsers that read a path. A broken property aborts the process (libFuzzer reports a crash).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "actionlog/core/journal.hpp"
#include "http/http_types.hpp"

namespace actionlog::fuzz {

// Prints `what` (and `detail`) to stderr and aborts: the fuzzer records the input as a crash.
[[noreturn]] void Fail(std::string_view what, std::string_view detail = {});

inline void Check(bool condition, std::string_view what, std::string_view detail = {}) {
  if (!condition) {
    Fail(what, detail);
  }
}

// A journal on a fresh SQLite database in memory.
std::shared_ptr<Journal> NewMemoryJournal();

// The records every HTTP target starts from (noauth tokens "user:project:roles"):
//   server kServerA in kProjectA with action kRequestA (a failed event carrying kSecretHost and
//   kSecretTraceback), server kServerB in kProjectB with one finished action. Project ids are
//   hex so that they also route as /v2.1/{project_id}/servers/...
inline constexpr std::string_view kProjectA = "0a0a0a0a";
inline constexpr std::string_view kProjectB = "0b0b0b0b";
inline constexpr std::string_view kServiceToken = "nova:service:service";
inline constexpr std::string_view kServerA = "11111111-2222-4333-8444-555555555555";
inline constexpr std::string_view kRequestA = "req-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
inline constexpr std::string_view kServerB = "22222222-3333-4444-8555-666666666666";
inline constexpr std::string_view kRequestB = "req-bbbbbbbb-cccc-4ddd-8eee-ffffffffffff";
inline constexpr std::string_view kSecretHost = "secret-host-a";
inline constexpr std::string_view kSecretTraceback = "SecretTracebackOfProjectA";
// `with_server_b` false: server A only (fewer writes per input).
void SeedJournal(Journal& journal, bool with_server_b = true);

// Decodes the text form of a request:
//   METHOD SP TARGET LF
//   Name: value LF       (any number of header lines)
//   LF
//   body (the rest, verbatim)
// CR before LF is dropped. Inputs the HTTP parser in front of the service would refuse (bad
// method or header token, control bytes in the target or a header value) give nullopt.
std::optional<http::Request> ParseRequestText(std::string_view text);

// Properties of every response of the service: a known status class (2xx, 3xx or 4xx; 5xx
// only when `allow_5xx`), and a body that parses as JSON whenever it is declared as JSON.
void CheckResponse(const http::Response& res, bool allow_5xx, std::string_view context);

// A file that lives only in memory (memfd); Path() can be opened by name as long as it lives.
class MemFile {
 public:
  MemFile();
  ~MemFile();
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;

  // Replaces the content.
  void Write(std::string_view content);

  const std::string& Path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// A directory for temporary files (under /dev/shm when it exists), removed at exit.
const std::string& ScratchDir();

}  // namespace actionlog::fuzz
