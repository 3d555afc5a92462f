#include "output.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "record_json.hpp"

namespace actionlog::cli {
namespace json = boost::json;

namespace {

std::string Escape(const std::string& cell) {
  std::string out;
  out.reserve(cell.size());
  for (const char c : cell) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out;
}

void PrintText(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// Prints `object` as {"<key>": object, "created": ...}.
void PrintJsonRecord(const char* key, json::object object, std::optional<bool> created) {
  json::object doc{{key, std::move(object)}};
  if (created) {
    doc["created"] = *created;
  }
  PrintJson(doc);
}

std::string CreatedLine(std::optional<bool> created) {
  if (!created) {
    return "";
  }
  return *created ? "created\n" : "unchanged (identical record already recorded)\n";
}

// A two-column Field/Value table of a JSON object's members, in their order.
std::string FieldTable(const json::object& object) {
  Table table({"FIELD", "VALUE"});
  for (const auto& kv : object) {
    const json::value& v = kv.value();
    std::string text;
    if (v.is_string()) {
      text = std::string(v.get_string());
    } else if (v.is_null()) {
      text = "-";
    } else {
      text = json::serialize(v);
    }
    table.AddRow({std::string(kv.key()), std::move(text)});
  }
  return table.Render();
}

}  // namespace

Table::Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }

void Table::AddRow(std::vector<std::string> row) {
  for (std::string& cell : row) {
    cell = Escape(cell);
  }
  rows_.push_back(std::move(row));
}

std::string Table::Render() const {
  std::vector<std::size_t> widths;
  for (const auto& row : rows_) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line.append(widths[i] - row[i].size() + 2, ' ');
      }
    }
    out += line + "\n";
  }
  return out;
}

std::string Cell(const std::optional<std::string>& value) { return value ? *value : "-"; }

std::string Cell(const std::optional<Timestamp>& value) {
  return value ? FormatApiTime(*value) : "-";
}

bool WantsJson(const GlobalOptions& global) { return global.format == "json"; }

void PrintJson(const json::value& value) { PrintText(json::serialize(value) + "\n"); }

void PrintInstance(const GlobalOptions& global, const Instance& instance,
                   std::optional<bool> created) {
  if (WantsJson(global)) {
    PrintJsonRecord("instance", ToJson(instance), created);
  } else {
    PrintText(CreatedLine(created) + FieldTable(ToJson(instance)));
  }
}

void PrintAction(const GlobalOptions& global, const Action& action, std::optional<bool> created) {
  if (WantsJson(global)) {
    PrintJsonRecord("action", ToJson(action), created);
  } else {
    PrintText(CreatedLine(created) + FieldTable(ToJson(action)));
  }
}

void PrintActionWithEvents(const GlobalOptions& global, const ActionWithEvents& record,
                           std::optional<bool> created) {
  if (WantsJson(global)) {
    PrintJsonRecord("action", ToJson(record), created);
    return;
  }
  PrintText(CreatedLine(created) + FieldTable(ToJson(record.action)) + "\nevents:\n");
  PrintEvents(global, record.events);
}

void PrintEvent(const GlobalOptions& global, const Event& event, std::optional<bool> created) {
  if (WantsJson(global)) {
    PrintJsonRecord("event", ToJson(event), created);
  } else {
    PrintText(CreatedLine(created) + FieldTable(ToJson(event)));
  }
}

void PrintActions(const GlobalOptions& global, const std::vector<Action>& actions) {
  if (WantsJson(global)) {
    json::array array;
    for (const Action& a : actions) {
      array.emplace_back(ToJson(a));
    }
    PrintJson(json::object{{"actions", std::move(array)}});
    return;
  }
  Table table(
      {"REQUEST_ID", "ACTION", "START_TIME", "FINISH_TIME", "MESSAGE", "USER_ID", "UPDATED_AT"});
  for (const Action& a : actions) {
    table.AddRow({a.request_id, Cell(a.action), Cell(a.start_time), Cell(a.finish_time),
                  Cell(a.message), Cell(a.user_id), Cell(a.updated_at)});
  }
  PrintText(table.Render());
}

void PrintEvents(const GlobalOptions& global, const std::vector<Event>& events) {
  if (WantsJson(global)) {
    json::array array;
    for (const Event& e : events) {
      array.emplace_back(ToJson(e));
    }
    PrintJson(json::object{{"events", std::move(array)}});
    return;
  }
  Table table({"EVENT", "START_TIME", "FINISH_TIME", "RESULT", "HOST", "DETAILS"});
  for (const Event& e : events) {
    table.AddRow({e.event, Cell(e.start_time), Cell(e.finish_time), Cell(e.result), Cell(e.host),
                  Cell(e.details)});
  }
  PrintText(table.Render());
}

}  // namespace actionlog::cli
