#include "actionlog/core/change_log.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "testing/testing.hpp"

namespace actionlog {
namespace {

ChangeEntry SampleEntry() {
  ChangeEntry e;
  e.seq = 1;
  e.recorded_at = Timestamp{1700000000000000};
  e.actor_user = "u";
  e.actor_project = "p";
  e.actor_service = "test";
  e.operation = "action.start";
  e.entity = "action";
  e.entity_id = 7;
  e.entity_version = 1;
  e.instance_uuid = "0a26c298-bdc6-4a1d-8ae4-5bedd52e1414";
  e.request_id = "req-1";
  e.row = "{}";
  return e;
}

TEST(ChangeLogTest, HostIdMatchesNovaSample) {
  // Nova's API samples: project 6f70656e737461636b20342065766572 + host "compute".
  EXPECT_EQ(Sha224Hex("6f70656e737461636b20342065766572compute"),
            "2091634baaccdc4c5a1d57069c833e402921df696b7f970791b12ec6");
}

TEST(ChangeLogTest, Sha256KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ChangeLogTest, HashDependsOnEveryFieldAndOnPrevious) {
  const ChangeEntry base = SampleEntry();
  const std::string h = ChainHash(kGenesisHash, base);
  EXPECT_EQ(h.size(), 64U);
  EXPECT_EQ(h, ChainHash(kGenesisHash, base));
  EXPECT_NE(h, ChainHash(h, base));
  ChangeEntry changed = base;
  changed.row = "{\"x\":1}";
  EXPECT_NE(h, ChainHash(kGenesisHash, changed));
  changed = base;
  changed.actor_user = "mallory";
  EXPECT_NE(h, ChainHash(kGenesisHash, changed));
  changed = base;
  changed.seq = 2;
  EXPECT_NE(h, ChainHash(kGenesisHash, changed));
  changed = base;
  changed.recorded_at.micros += 1;
  EXPECT_NE(h, ChainHash(kGenesisHash, changed));
}

TEST(ChangeLogTest, CanonicalBytesAreUnambiguous) {
  // Moving characters between adjacent fields must change the bytes (no plain concatenation).
  ChangeEntry a = SampleEntry();
  ChangeEntry b = SampleEntry();
  a.actor_user = "ab";
  a.actor_project = "c";
  b.actor_user = "a";
  b.actor_project = "bc";
  EXPECT_NE(CanonicalBytes(a), CanonicalBytes(b));
}

TEST(ChangeLogTest, RowImageHasFixedOrderAndNulls) {
  Action a;
  a.id = 3;
  a.instance_uuid = "i";
  a.request_id = "r";
  a.start_time = Timestamp{0};
  EXPECT_EQ(RowImage(a),
            "{\"id\":3,\"action\":null,\"instance_uuid\":\"i\",\"request_id\":\"r\",\"user_id\":"
            "null,\"project_id\":null,\"created_at\":null,\"updated_at\":null,\"deleted_at\":null,"
            "\"start_time\":\"1970-01-01 00:00:00.000000\",\"finish_time\":null,\"message\":null,"
            "\"deleted\":0,\"version\":0}");
}

// The canonical form is defined as Boost.JSON's compact serialization of an object with the keys
// in this order. Rows and entries are built from random strings (every byte value, quotes,
// backslashes, control bytes, UTF-8) and compared byte for byte, so hashes written by earlier
// versions stay verifiable.
namespace oracle {

boost::json::value Opt(const std::optional<std::string>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

boost::json::value Opt(const std::optional<Timestamp>& v) {
  return v ? boost::json::value(FormatStorageTime(*v)) : boost::json::value(nullptr);
}

std::string Image(const Event& row) {
  boost::json::object o;
  o["id"] = row.id;
  o["action_id"] = row.action_id;
  o["event"] = row.event;
  o["created_at"] = Opt(row.created_at);
  o["updated_at"] = Opt(row.updated_at);
  o["deleted_at"] = Opt(row.deleted_at);
  o["start_time"] = Opt(row.start_time);
  o["finish_time"] = Opt(row.finish_time);
  o["result"] = Opt(row.result);
  o["traceback"] = Opt(row.traceback);
  o["host"] = Opt(row.host);
  o["details"] = Opt(row.details);
  o["deleted"] = row.deleted;
  o["version"] = row.version;
  return boost::json::serialize(o);
}

std::string Image(const Action& row) {
  boost::json::object o;
  o["id"] = row.id;
  o["action"] = Opt(row.action);
  o["instance_uuid"] = row.instance_uuid;
  o["request_id"] = row.request_id;
  o["user_id"] = Opt(row.user_id);
  o["project_id"] = Opt(row.project_id);
  o["created_at"] = Opt(row.created_at);
  o["updated_at"] = Opt(row.updated_at);
  o["deleted_at"] = Opt(row.deleted_at);
  o["start_time"] = Opt(row.start_time);
  o["finish_time"] = Opt(row.finish_time);
  o["message"] = Opt(row.message);
  o["deleted"] = row.deleted;
  o["version"] = row.version;
  return boost::json::serialize(o);
}

std::string Image(const Instance& row) {
  boost::json::object o;
  o["id"] = row.id;
  o["uuid"] = row.uuid;
  o["project_id"] = Opt(row.project_id);
  o["user_id"] = Opt(row.user_id);
  o["host"] = Opt(row.host);
  o["display_name"] = Opt(row.display_name);
  o["created_at"] = Opt(row.created_at);
  o["updated_at"] = Opt(row.updated_at);
  o["deleted_at"] = Opt(row.deleted_at);
  o["deleted"] = row.deleted;
  o["version"] = row.version;
  return boost::json::serialize(o);
}

std::string Canonical(const ChangeEntry& e) {
  boost::json::object o;
  o["seq"] = e.seq;
  o["recorded_at"] = FormatStorageTime(e.recorded_at);
  o["actor_user"] = e.actor_user;
  o["actor_project"] = e.actor_project;
  o["actor_service"] = e.actor_service;
  o["operation"] = e.operation;
  o["entity"] = e.entity;
  o["entity_id"] = e.entity_id;
  o["entity_version"] = e.entity_version;
  o["instance_uuid"] = e.instance_uuid;
  o["request_id"] = e.request_id;
  o["event"] = e.event;
  o["row"] = e.row;
  if (!e.parent_row.empty()) {  // absent from entries without one (and from older entries)
    o["parent_row"] = e.parent_row;
  }
  return boost::json::serialize(o);
}

}  // namespace oracle

class RandomRows {
 public:
  explicit RandomRows(std::uint64_t seed) : rng_(seed) {}

  std::string Text() {
    static constexpr std::string_view kSpecial[] = {
        "\"",   "\\",  "\n", "\t", "\x01", "\x1f", "\x7f", "/", "\xc3\xa9", "\xf0\x9f\x98\x80",
        "\xff", "\x00"};
    std::string out;
    const int n = Int(0, 40);
    for (int i = 0; i < n; ++i) {
      switch (Int(0, 3)) {
        case 0:
          out += kSpecial[static_cast<std::size_t>(Int(0, std::size(kSpecial) - 1))];
          break;
        case 1:
          out += static_cast<char>(Int(0, 255));
          break;
        default:
          out += static_cast<char>(Int('a', 'z'));
      }
    }
    return out;
  }

  std::optional<std::string> OptText() {
    return Int(0, 4) == 0 ? std::nullopt : std::optional<std::string>(Text());
  }

  std::optional<Timestamp> OptTime() {
    if (Int(0, 4) == 0) {
      return std::nullopt;
    }
    return Timestamp{static_cast<std::int64_t>(Int(0, 1 << 30)) * 1000003};
  }

  std::int64_t Number() {
    return Int(0, 2) == 0 ? -static_cast<std::int64_t>(Int(0, 1 << 30)) * 4099
                          : static_cast<std::int64_t>(Int(0, 1 << 30)) * 8191;
  }

  Event MakeEvent() {
    Event e;
    e.id = Number();
    e.action_id = Number();
    e.event = Text();
    e.created_at = OptTime();
    e.updated_at = OptTime();
    e.deleted_at = OptTime();
    e.start_time = OptTime();
    e.finish_time = OptTime();
    e.result = OptText();
    e.traceback = OptText();
    e.host = OptText();
    e.details = OptText();
    e.deleted = Number();
    e.version = Number();
    return e;
  }

  Action MakeAction() {
    Action a;
    a.id = Number();
    a.action = OptText();
    a.instance_uuid = Text();
    a.request_id = Text();
    a.user_id = OptText();
    a.project_id = OptText();
    a.created_at = OptTime();
    a.updated_at = OptTime();
    a.deleted_at = OptTime();
    a.start_time = OptTime();
    a.finish_time = OptTime();
    a.message = OptText();
    a.deleted = Number();
    a.version = Number();
    return a;
  }

  Instance MakeInstance() {
    Instance i;
    i.id = Number();
    i.uuid = Text();
    i.project_id = OptText();
    i.user_id = OptText();
    i.host = OptText();
    i.display_name = OptText();
    i.created_at = OptTime();
    i.updated_at = OptTime();
    i.deleted_at = OptTime();
    i.deleted = Number();
    i.version = Number();
    return i;
  }

  ChangeEntry MakeEntry(std::string row) {
    ChangeEntry e;
    e.seq = Number();
    e.recorded_at = Timestamp{static_cast<std::int64_t>(Int(0, 1 << 30)) * 1000003};
    e.actor_user = Text();
    e.actor_project = Text();
    e.actor_service = Text();
    e.operation = Text();
    e.entity = Text();
    e.entity_id = Number();
    e.entity_version = Number();
    e.instance_uuid = Text();
    e.request_id = Text();
    e.event = Text();
    e.row = std::move(row);
    return e;
  }

 private:
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  std::mt19937_64 rng_;
};

TEST(ChangeLogTest, CanonicalFormIsBoostJsonCompactSerialization) {
  RandomRows rows(20261124);
  for (int i = 0; i < 2000; ++i) {
    const Event event = rows.MakeEvent();
    const Action action = rows.MakeAction();
    const Instance instance = rows.MakeInstance();
    ASSERT_EQ(RowImage(event), oracle::Image(event));
    ASSERT_EQ(RowImage(action), oracle::Image(action));
    ASSERT_EQ(RowImage(instance), oracle::Image(instance));
    ChangeEntry entry = rows.MakeEntry(RowImage(event));
    ASSERT_EQ(CanonicalBytes(entry), oracle::Canonical(entry));
    entry.parent_row = RowImage(action);
    ASSERT_EQ(CanonicalBytes(entry), oracle::Canonical(entry));
  }
}

// An entry without a parent_row hashes exactly as before the field existed (pinned: a change of
// this value would make every recorded chain unverifiable); one with it hashes differently.
TEST(ChangeLogTest, ParentRowIsHashedOnlyWhenPresent) {
  ChangeEntry e = SampleEntry();
  EXPECT_EQ(CanonicalBytes(e),
            R"({"seq":1,"recorded_at":"2023-11-14 22:13:20.000000","actor_user":"u",)"
            R"("actor_project":"p","actor_service":"test","operation":"action.start",)"
            R"("entity":"action","entity_id":7,"entity_version":1,)"
            R"("instance_uuid":"0a26c298-bdc6-4a1d-8ae4-5bedd52e1414","request_id":"req-1",)"
            R"("event":"","row":"{}"})");
  const std::string without = ChainHash(kGenesisHash, e);
  e.parent_row = R"({"id":7})";
  EXPECT_TRUE(CanonicalBytes(e).ends_with(R"(,"row":"{}","parent_row":"{\"id\":7}"})"))
      << CanonicalBytes(e);
  EXPECT_NE(ChainHash(kGenesisHash, e), without);
}

}  // namespace
}  // namespace actionlog
