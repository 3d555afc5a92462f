#include "actionlog/core/change_log.hpp"

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

}  // namespace
}  // namespace actionlog
