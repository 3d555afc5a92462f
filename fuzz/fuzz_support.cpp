#include "fuzz_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <sys/mman.h>
#include <unistd.h>

#include "actionlog/store/open_store.hpp"

namespace actionlog::fuzz {
namespace {

// RFC 9110 tchar.
bool IsTokenChar(char c) {
  const auto b = static_cast<unsigned char>(c);
  if (b >= 0x80 || b <= 0x20 || b == 0x7f) {
    return false;
  }
  constexpr std::string_view kSeparators = "\"(),/:;<=>?@[\\]{}";
  return kSeparators.find(c) == std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (const char c : s) {
    if (!IsTokenChar(c)) {
      return false;
    }
  }
  return true;
}

// What Beast's parser accepts in a request-target: visible bytes and obs-text.
bool IsTargetText(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7f) {
      return false;
    }
  }
  return true;
}

bool IsFieldValue(std::string_view s) {
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && b != '\t') || b == 0x7f) {
      return false;
    }
  }
  return true;
}

std::string_view NextLine(std::string_view& text, bool& found) {
  const std::size_t lf = text.find('\n');
  found = lf != std::string_view::npos;
  std::string_view line = text.substr(0, lf);
  text.remove_prefix(found ? lf + 1 : text.size());
  if (line.ends_with('\r')) {
    line.remove_suffix(1);
  }
  return line;
}

void MustWrite(const Result<Written<Instance>>& r) {
  Check(static_cast<bool>(r), "seeding the journal", r ? "" : r.error().message);
}

}  // namespace

void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "fuzz property failed: %.*s\n%.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

std::shared_ptr<Journal> NewMemoryJournal() {
  store::StoreOptions options;
  options.url = "sqlite://:memory:";
  auto store = store::OpenStore(options);
  Check(static_cast<bool>(store), "opening a store in memory", store ? "" : store.error().message);
  return std::make_shared<Journal>(std::shared_ptr<store::Store>(std::move(*store)));
}

void SeedJournal(Journal& journal, bool with_server_b) {
  const Actor actor{"nova", "service", "nova-compute"};
  const Timestamp t0 = *ParseIso8601("2026-01-01T00:00:00Z");
  constexpr std::int64_t kSecond = 1000000;
  auto check = [](const auto& r, std::string_view what) {
    Check(static_cast<bool>(r), what, r ? "" : r.error().message);
  };
  MustWrite(journal.PutInstance(actor, {std::string(kServerA), std::string(kProjectA), "alice",
                                        std::string(kSecretHost), "vm-a", std::nullopt}));
  check(journal.StartAction(actor, {std::string(kServerA), std::string(kRequestA), "reboot",
                                    "alice", std::string(kProjectA), t0}),
        "seed: start action A");
  check(journal.StartEvent(
            actor, {std::string(kServerA), std::string(kRequestA), "compute_reboot_instance",
                    std::string(kSecretHost), Timestamp{t0.micros + kSecond}}),
        "seed: start event A");
  check(journal.FinishEvent(
            actor, {std::string(kServerA), std::string(kRequestA), "compute_reboot_instance",
                    "Error", "boom", std::string(kSecretTraceback),
                    Timestamp{t0.micros + 2 * kSecond}, std::nullopt}),
        "seed: finish event A");
  if (!with_server_b) {
    return;
  }
  MustWrite(journal.PutInstance(actor, {std::string(kServerB), std::string(kProjectB), "carol",
                                        "host-b", "vm-b", std::nullopt}));
  check(journal.StartAction(actor, {std::string(kServerB), std::string(kRequestB), "create",
                                    "carol", std::string(kProjectB), t0}),
        "seed: start action B");
  check(journal.StartEvent(actor, {std::string(kServerB), std::string(kRequestB),
                                   "compute__do_build_and_run_instance", "host-b",
                                   Timestamp{t0.micros + kSecond}}),
        "seed: start event B");
  check(
      journal.FinishEvent(actor, {std::string(kServerB), std::string(kRequestB),
                                  "compute__do_build_and_run_instance", "Success", std::nullopt,
                                  std::nullopt, Timestamp{t0.micros + 3 * kSecond}, std::nullopt}),
      "seed: finish event B");
  check(journal.FinishAction(actor, {std::string(kServerB), std::string(kRequestB),
                                     Timestamp{t0.micros + 4 * kSecond}, std::nullopt}),
        "seed: finish action B");
}

std::optional<http::Request> ParseRequestText(std::string_view text) {
  bool found = false;
  const std::string_view first = NextLine(text, found);
  const std::size_t sp = first.find(' ');
  if (sp == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view method = first.substr(0, sp);
  const std::string_view target = first.substr(sp + 1);
  if (!IsToken(method) || !IsTargetText(target)) {
    return std::nullopt;
  }
  http::Request req;
  req.version(11);
  req.method_string(method);
  req.target(target);
  while (found && !text.empty()) {
    const std::string_view line = NextLine(text, found);
    if (line.empty()) {
      break;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon)) ||
        !IsFieldValue(line.substr(colon + 1))) {
      return std::nullopt;
    }
    const std::string_view name = line.substr(0, colon);
    // The parser sizes the body from the framing headers; here the body is the rest.
    if (http::bhttp::string_to_field(name) == http::bhttp::field::content_length ||
        http::bhttp::string_to_field(name) == http::bhttp::field::transfer_encoding) {
      continue;
    }
    req.insert(name, line.substr(colon + 1));
  }
  req.body() = std::string(text);
  if (!req.body().empty()) {
    req.content_length(req.body().size());
  }
  return req;
}

void CheckResponse(const http::Response& res, bool allow_5xx, std::string_view context) {
  const unsigned status = res.result_int();
  const bool known = status >= 200 && status < (allow_5xx ? 600U : 500U);
  if (!known) {
    Fail("unexpected status " + std::to_string(status), std::string(context) + "\n" + res.body());
  }
  const auto type = res.find(http::bhttp::field::content_type);
  if (type != res.end() && type->value().starts_with("application/json")) {
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(res.body(), ec);
    if (ec || !v.is_object()) {
      Fail("response declared as JSON is not a JSON object",
           std::string(context) + "\n" + res.body());
    }
  }
}

MemFile::MemFile() {
  fd_ = memfd_create("actionlog-fuzz", 0);
  Check(fd_ >= 0, "memfd_create");
  path_ = "/proc/self/fd/" + std::to_string(fd_);
}

MemFile::~MemFile() { close(fd_); }

void MemFile::Write(std::string_view content) {
  Check(ftruncate(fd_, 0) == 0, "ftruncate");
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n =
        pwrite(fd_, content.data() + done, content.size() - done, static_cast<off_t>(done));
    Check(n > 0, "pwrite");
    done += static_cast<std::size_t>(n);
  }
}

const std::string& ScratchDir() {
  static const std::string dir = [] {
    namespace fs = std::filesystem;
    const fs::path base =
        fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string templ = (base / "actionlog-fuzz-XXXXXX").string();
    Check(mkdtemp(templ.data()) != nullptr, "mkdtemp");
    static const std::string removed_at_exit = templ;
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(removed_at_exit, ec);
    });
    return templ;
  }();
  return dir;
}

}  // namespace actionlog::fuzz
