#include "bench_flags.hpp"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>
#include <string_view>

namespace actionlog::bench {
namespace {

[[noreturn]] void Die(std::string_view flag, std::string_view value) {
  std::fprintf(stderr, "journal_bench: bad value '%.*s' for --%.*s\n",
               static_cast<int>(value.size()), value.data(), static_cast<int>(flag.size()),
               flag.data());
  std::exit(2);
}

template <class T>
T Parse(std::string_view flag, std::string_view text) {
  std::istringstream in{std::string(text)};
  T value{};
  if (!(in >> value) || !in.eof()) {
    Die(flag, text);
  }
  return value;
}

template <class T>
std::vector<T> ParseList(std::string_view flag, std::string_view text) {
  std::vector<T> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    out.push_back(Parse<T>(flag, text.substr(start, comma - start)));
    start = comma + 1;
  }
  return out;
}

using Setter = std::function<void(Flags&, std::string_view flag, std::string_view value)>;

const std::map<std::string, Setter, std::less<>>& Setters() {
  static const std::map<std::string, Setter, std::less<>> setters = {
      {"data_dir", [](Flags& f, auto, auto v) { f.data_dir = std::string(v); }},
      {"baseline_commits",
       [](Flags& f, auto k, auto v) { f.baseline_commits = Parse<std::uint64_t>(k, v); }},
      {"write_actions",
       [](Flags& f, auto k, auto v) { f.write_actions = Parse<std::uint64_t>(k, v); }},
      {"concurrent_actions",
       [](Flags& f, auto k, auto v) { f.concurrent_actions = Parse<std::uint64_t>(k, v); }},
      {"writers", [](Flags& f, auto k, auto v) { f.writers = Parse<int>(k, v); }},
      {"read_sizes",
       [](Flags& f, auto k, auto v) { f.read_sizes = ParseList<std::uint64_t>(k, v); }},
      {"read_threads", [](Flags& f, auto k, auto v) { f.read_threads = ParseList<int>(k, v); }},
      {"read_seconds", [](Flags& f, auto k, auto v) { f.read_seconds = Parse<double>(k, v); }},
      {"read_warmup_seconds",
       [](Flags& f, auto k, auto v) { f.read_warmup_seconds = Parse<double>(k, v); }},
      {"fill_threads", [](Flags& f, auto k, auto v) { f.fill_threads = Parse<int>(k, v); }},
      {"fill_only", [](Flags& f, auto k, auto v) { f.fill_only = Parse<int>(k, v) != 0; }},
      {"baseline_commits_per_s",
       [](Flags& f, auto k, auto v) { f.baseline_commits_per_s = Parse<double>(k, v); }},
      {"nova_actions_per_s",
       [](Flags& f, auto k, auto v) { f.nova_actions_per_s = Parse<double>(k, v); }},
      {"nova_get_per_s", [](Flags& f, auto k, auto v) { f.nova_get_per_s = Parse<double>(k, v); }},
      {"nova_list_per_s",
       [](Flags& f, auto k, auto v) { f.nova_list_per_s = Parse<double>(k, v); }},
  };
  return setters;
}

// Applies `arg` if it is one of our "--name=value" flags.
bool Apply(Flags& flags, std::string_view arg) {
  if (!arg.starts_with("--")) {
    return false;
  }
  const std::size_t eq = arg.find('=');
  if (eq == std::string_view::npos) {
    return false;
  }
  const std::string_view name = arg.substr(2, eq - 2);
  const auto it = Setters().find(name);
  if (it == Setters().end()) {
    return false;
  }
  it->second(flags, name, arg.substr(eq + 1));
  return true;
}

}  // namespace

Flags ParseFlags(int& argc, char** argv) {
  Flags flags;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (!Apply(flags, argv[i])) {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return flags;
}

}  // namespace actionlog::bench
