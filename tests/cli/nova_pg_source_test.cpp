// Tests of the PostgreSQL Nova reader. The golden Nova database is copied into a fresh PostgreSQL
// database with Nova's column types; skipped unless ACTIONLOG_TEST_PG_DSN names a server
// (scripts/with-postgres.sh).
#ifdef ACTIONLOG_TEST_HAVE_PG

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "cli/cli_test_util.hpp"
#include "import/nova_source.hpp"

namespace actionlog::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

// Nova's tables as its PostgreSQL migrations create them (a subset of the instances columns).
// Nova's foreign keys are left out so that orphan events can be planted.
constexpr const char* kNovaDdl = R"sql(
CREATE TABLE instances (
  created_at timestamp without time zone, updated_at timestamp without time zone,
  deleted_at timestamp without time zone, id serial PRIMARY KEY, user_id varchar(255),
  project_id varchar(255), vm_state varchar(255), memory_mb integer, vcpus integer,
  hostname varchar(255), host varchar(255), display_name varchar(255), locked boolean,
  uuid varchar(36) NOT NULL, task_state varchar(255), deleted integer,
  CONSTRAINT uniq_instances0uuid UNIQUE (uuid));
CREATE TABLE instance_actions (
  created_at timestamp without time zone, updated_at timestamp without time zone,
  deleted_at timestamp without time zone, id serial PRIMARY KEY, action varchar(255),
  instance_uuid varchar(36), request_id varchar(255), user_id varchar(255),
  project_id varchar(255), start_time timestamp without time zone,
  finish_time timestamp without time zone, message varchar(255), deleted integer);
CREATE INDEX instance_uuid_idx ON instance_actions (instance_uuid);
CREATE INDEX request_id_idx ON instance_actions (request_id);
CREATE TABLE instance_actions_events (
  created_at timestamp without time zone, updated_at timestamp without time zone,
  deleted_at timestamp without time zone, id serial PRIMARY KEY, event varchar(255),
  action_id integer, start_time timestamp without time zone,
  finish_time timestamp without time zone, result varchar(255), traceback text, deleted integer,
  host varchar(255), details text);
)sql";

struct CopiedTable {
  const char* name;
  std::vector<std::string> columns;
};

const std::vector<CopiedTable>& CopiedTables() {
  static const std::vector<CopiedTable> tables = {
      {"instances",
       {"created_at", "updated_at", "deleted_at", "id", "user_id", "project_id", "vm_state",
        "memory_mb", "vcpus", "hostname", "host", "display_name", "locked", "uuid", "task_state",
        "deleted"}},
      {"instance_actions",
       {"created_at", "updated_at", "deleted_at", "id", "action", "instance_uuid", "request_id",
        "user_id", "project_id", "start_time", "finish_time", "message", "deleted"}},
      {"instance_actions_events",
       {"created_at", "updated_at", "deleted_at", "id", "event", "action_id", "start_time",
        "finish_time", "result", "traceback", "deleted", "host", "details"}},
  };
  return tables;
}

// Bad rows valid in both SQLite and PostgreSQL: an action with a NULL request_id and its event,
// an event of a missing action and an event without action.
constexpr const char* kPlantedRows = R"sql(
INSERT INTO instance_actions (created_at, id, action, instance_uuid, request_id, deleted)
VALUES ('2026-11-24 04:00:00', 1001, 'stop', '0a26c298-bdc6-4a1d-8ae4-5bedd52e1414', NULL, 0);
INSERT INTO instance_actions_events (created_at, id, event, action_id, deleted)
VALUES ('2026-11-24 04:00:00.5', 2001, 'compute_stop_instance', 1001, 0);
INSERT INTO instance_actions_events (created_at, id, event, action_id, deleted)
VALUES ('2026-11-24 04:00:00', 2002, 'compute_orphan', 9999, 0);
INSERT INTO instance_actions_events (created_at, id, event, action_id, deleted)
VALUES ('2026-11-24 04:00:00', 2003, 'compute_no_action', NULL, 0);
)sql";

struct PgCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};

using PgPtr = std::unique_ptr<PGconn, PgCloser>;

PgPtr Connect(const std::string& url) {
  PgPtr conn(PQconnectdb(url.c_str()));
  EXPECT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  return conn;
}

void PgExec(PGconn* conn, const std::string& sql) {
  PGresult* res = PQexec(conn, sql.c_str());
  EXPECT_EQ(PQresultStatus(res), PGRES_COMMAND_OK) << PQresultErrorMessage(res) << sql;
  PQclear(res);
}

// postgresql://user@host:port/db?params -> the same URL naming `dbname`.
std::string WithDatabase(const std::string& url, const std::string& dbname) {
  const std::size_t query = url.find('?');
  const std::string head = url.substr(0, query);
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  const std::size_t slash = head.find('/', head.find("://") + 3);
  return head.substr(0, slash) + "/" + dbname + tail;
}

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const std::string& item : items) {
    out += (out.empty() ? "" : sep) + item;
  }
  return out;
}

// Copies every row of `table` from SQLite to PostgreSQL, one parameterized INSERT per row.
void CopyTable(sqlite3* src, PGconn* dst, const CopiedTable& table) {
  const std::string cols = Join(table.columns, ", ");
  std::vector<std::string> params;
  for (std::size_t i = 1; i <= table.columns.size(); ++i) {
    params.push_back("$" + std::to_string(i));
  }
  const std::string insert = std::string("INSERT INTO ") + table.name + " (" + cols + ") VALUES (" +
                             Join(params, ", ") + ")";
  const std::string select = "SELECT " + cols + " FROM " + table.name;
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(src, select.c_str(), -1, &stmt, nullptr), SQLITE_OK);
  const int n = static_cast<int>(table.columns.size());
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<const char*> values;
    for (int c = 0; c < n; ++c) {
      values.push_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)));
    }
    PGresult* res =
        PQexecParams(dst, insert.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0);
    EXPECT_EQ(PQresultStatus(res), PGRES_COMMAND_OK) << PQresultErrorMessage(res);
    PQclear(res);
  }
  sqlite3_finalize(stmt);
}

void CopyGoldenRows(PGconn* dst) {
  sqlite3* src = nullptr;
  ASSERT_EQ(sqlite3_open_v2(GoldenNovaDb().c_str(), &src, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  for (const CopiedTable& table : CopiedTables()) {
    CopyTable(src, dst, table);
  }
  sqlite3_close_v2(src);
}

struct Collected {
  std::vector<Instance> instances;
  std::vector<ActionWithEvents> actions;
  std::vector<import::Rejection> rejections;
};

Collected ReadAll(const std::string& url) {
  Collected c;
  auto source = import::OpenNovaSource(url);
  EXPECT_THAT(source, IsOk());
  if (!source) {
    return c;
  }
  const import::NovaSink sink{
      .on_instance =
          [&](Instance i) {
            c.instances.push_back(std::move(i));
            return OkStatus();
          },
      .on_action =
          [&](ActionWithEvents a) {
            c.actions.push_back(std::move(a));
            return OkStatus();
          },
      .on_reject = [&](const import::Rejection& r) { c.rejections.push_back(r); },
  };
  EXPECT_THAT((*source)->ReadInstances(sink), IsOk());
  EXPECT_THAT((*source)->ReadActions(sink), IsOk());
  return c;
}

void ExpectSameRecords(const Collected& pg, const Collected& sqlite) {
  ASSERT_EQ(pg.instances.size(), sqlite.instances.size());
  for (std::size_t i = 0; i < pg.instances.size(); ++i) {
    EXPECT_EQ(pg.instances[i], sqlite.instances[i]) << "instance " << sqlite.instances[i].id;
  }
  ASSERT_EQ(pg.actions.size(), sqlite.actions.size());
  for (std::size_t i = 0; i < pg.actions.size(); ++i) {
    const ActionWithEvents& p = pg.actions[i];
    const ActionWithEvents& s = sqlite.actions[i];
    EXPECT_EQ(p.action, s.action) << "action " << s.action.id;
    ASSERT_EQ(p.events.size(), s.events.size()) << "action " << s.action.id;
    for (std::size_t e = 0; e < p.events.size(); ++e) {
      EXPECT_EQ(p.events[e], s.events[e]) << "event " << s.events[e].id;
    }
  }
  ASSERT_EQ(pg.rejections.size(), sqlite.rejections.size());
  for (std::size_t i = 0; i < pg.rejections.size(); ++i) {
    const import::Rejection& p = pg.rejections[i];
    const import::Rejection& s = sqlite.rejections[i];
    EXPECT_EQ(p.table, s.table);
    EXPECT_EQ(p.id, s.id);
    EXPECT_EQ(p.context, s.context);
    EXPECT_EQ(p.code, s.code);
    EXPECT_EQ(p.reason, s.reason);
  }
}

class NovaPgSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* dsn = std::getenv("ACTIONLOG_TEST_PG_DSN");
    if (dsn == nullptr || *dsn == '\0') {
      GTEST_SKIP() << "ACTIONLOG_TEST_PG_DSN is not set";
    }
    server_url_ = dsn;
    std::random_device rd;
    name_ = "nova_" + std::to_string(rd()) + std::to_string(rd());
    server_ = Connect(server_url_);
    PgExec(server_.get(), "CREATE DATABASE " + name_);
    url_ = WithDatabase(server_url_, name_);
    const PgPtr nova = Connect(url_);
    PgExec(nova.get(), kNovaDdl);
    CopyGoldenRows(nova.get());
  }

  void TearDown() override {
    if (server_ != nullptr) {
      for (const std::string& db : {name_, name_ + "_empty"}) {
        PgExec(server_.get(), "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      }
    }
  }

  void Plant(const std::string& sql) {
    const PgPtr nova = Connect(url_);
    PgExec(nova.get(), sql);
  }

  CommandResult Import() {
    return RunActionlog(dir_, {"--db", JournalUrl(), "-f", "json", "import", "--from-nova", url_});
  }

  std::string JournalUrl() const { return "sqlite://" + dir_.File("journal.db"); }

  TempDir dir_;
  std::string server_url_;
  std::string name_;
  std::string url_;
  PgPtr server_;
};

TEST_F(NovaPgSourceTest, YieldsTheSameRecordsAsTheSqliteReader) {
  const Collected pg = ReadAll(url_);
  const Collected sqlite = ReadAll("sqlite://" + GoldenNovaDb());
  EXPECT_EQ(pg.instances.size(), 9U);
  EXPECT_EQ(pg.actions.size(), 70U);
  EXPECT_TRUE(pg.rejections.empty());
  ExpectSameRecords(pg, sqlite);
}

TEST_F(NovaPgSourceTest, RejectsTheSameRowsAsTheSqliteReader) {
  Plant(kPlantedRows);
  const std::string sqlite_path = dir_.File("nova.sqlite");
  CopyGoldenNovaDb(sqlite_path);
  ExecSql(sqlite_path, kPlantedRows);
  const Collected pg = ReadAll(url_);
  EXPECT_EQ(pg.rejections.size(), 4U);
  ExpectSameRecords(pg, ReadAll("sqlite://" + sqlite_path));
}

TEST_F(NovaPgSourceTest, StreamsMoreRowsThanOneFetch) {
  Plant(
      "INSERT INTO instance_actions (created_at, id, action, instance_uuid, request_id, deleted) "
      "SELECT '2026-11-25 00:00:00', 5000 + g, 'reboot', '0a26c298-bdc6-4a1d-8ae4-5bedd52e1414', "
      "'req-bulk-' || g, 0 FROM generate_series(1, 2500) AS g;"
      "INSERT INTO instance_actions_events (created_at, id, event, action_id, deleted) "
      "SELECT '2026-11-25 00:00:01', 9000 + g, 'compute_reboot_instance', 5000 + (g + 1) / 2, 0 "
      "FROM generate_series(1, 5000) AS g;");
  const Collected pg = ReadAll(url_);
  EXPECT_TRUE(pg.rejections.empty());
  ASSERT_EQ(pg.actions.size(), 2570U);
  std::size_t events = 0;
  for (const ActionWithEvents& a : pg.actions) {
    events += a.events.size();
  }
  EXPECT_EQ(events, 96U + 5000U);
  EXPECT_EQ(pg.actions.back().events.size(), 2U);
}

TEST_F(NovaPgSourceTest, CliImportsAndReimportsNothing) {
  CommandResult r = Import();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::value summary = ParseJson(r.out);
  EXPECT_EQ(summary.at("instances").at("imported"), 9);
  EXPECT_EQ(summary.at("actions").at("imported"), 70);
  EXPECT_EQ(summary.at("events").at("imported"), 96);
  r = Import();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  summary = ParseJson(r.out);
  EXPECT_EQ(summary.at("actions").at("imported"), 0);
  EXPECT_EQ(summary.at("actions").at("unchanged"), 70);
  EXPECT_EQ(summary.at("events").at("unchanged"), 96);
  r = RunActionlog(dir_, {"--db", JournalUrl(), "verify"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(NovaPgSourceTest, CliReportsPlantedRows) {
  Plant(kPlantedRows);
  const CommandResult r = Import();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("instance_actions id=1001"));
  EXPECT_THAT(r.err, HasSubstr("request_id is NULL"));
  EXPECT_THAT(r.err, HasSubstr("instance_actions_events id=2002"));
  EXPECT_THAT(r.err, HasSubstr("its action 9999 does not exist"));
  EXPECT_THAT(r.err, HasSubstr("instance_actions_events id=2003"));
}

TEST_F(NovaPgSourceTest, RefusesADatabaseWithoutNovaTables) {
  PgExec(server_.get(), "CREATE DATABASE " + name_ + "_empty");
  const std::string empty_url = WithDatabase(server_url_, name_ + "_empty");
  {
    const PgPtr conn = Connect(empty_url);
    PgExec(conn.get(), "CREATE TABLE instances (id integer)");
  }
  const auto source = import::OpenNovaSource(empty_url);
  EXPECT_THAT(source, HasError(ErrorCode::kInvalidArgument));
  if (!source) {
    EXPECT_THAT(source.error().message, HasSubstr("not a Nova database"));
  }
  const CommandResult r =
      RunActionlog(dir_, {"--db", JournalUrl(), "import", "--from-nova", empty_url});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_THAT(r.err, HasSubstr("not a Nova database"));
}

}  // namespace
}  // namespace actionlog::testing

#endif  // ACTIONLOG_TEST_HAVE_PG
