// Printing results on stdout: aligned text tables (the default) or JSON (-f json).
// Not thread-safe (writes to stdout).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "actionlog/core/types.hpp"
#include "commands.hpp"

namespace actionlog::cli {

// Columns padded to their widest cell, separated by two spaces; newlines in cells print as "\n".
class Table {
 public:
  explicit Table(std::vector<std::string> header);

  void AddRow(std::vector<std::string> row);
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;  // rows_[0] is the header
};

// Cell text of optional values: "-" when absent.
std::string Cell(const std::optional<std::string>& value);
std::string Cell(const std::optional<Timestamp>& value);

bool WantsJson(const GlobalOptions& global);
// Prints one JSON document and a newline.
void PrintJson(const boost::json::value& value);

// `created` is shown for writes (nullopt for reads).
void PrintInstance(const GlobalOptions& global, const Instance& instance,
                   std::optional<bool> created);
void PrintAction(const GlobalOptions& global, const Action& action, std::optional<bool> created);
void PrintActionWithEvents(const GlobalOptions& global, const ActionWithEvents& record,
                           std::optional<bool> created);
void PrintEvent(const GlobalOptions& global, const Event& event, std::optional<bool> created);
void PrintActions(const GlobalOptions& global, const std::vector<Action>& actions);
void PrintEvents(const GlobalOptions& global, const std::vector<Event>& events);

}  // namespace actionlog::cli
