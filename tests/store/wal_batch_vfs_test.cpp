// The WAL batching VFS shim: every committed transaction is in the WAL file (not only in the
// shim's buffer) when its commit returns, other connections read exactly what was committed,
// transactions larger than the buffer and frames rewritten inside a transaction survive, and a
// failed write of the batch fails the commit without damaging the database.
#include "store/sqlite/wal_batch_vfs.hpp"

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "testing/testing.hpp"

namespace actionlog::store::sqlite {
namespace {

namespace fs = std::filesystem;
using ::actionlog::testing::TempDir;

class Db {
 public:
  Db(const std::string& path, const char* vfs) {
    rc_ = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
  }

  ~Db() { sqlite3_close_v2(db_); }

  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  int open_rc() const { return rc_; }

  int Exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }

  int Insert(std::size_t id, const std::string& blob) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO t(id, b) VALUES (?1, ?2)", -1, &stmt, nullptr);
    sqlite3_bind_int64(stmt, 1, static_cast<sqlite3_int64>(id));
    sqlite3_bind_blob(stmt, 2, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    const int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc;
  }

  // Every row of t, by id.
  std::vector<std::string> Rows() {
    std::vector<std::string> rows;
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, "SELECT id, b FROM t ORDER BY id", -1, &stmt, nullptr);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto id = static_cast<std::size_t>(sqlite3_column_int64(stmt, 0));
      const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, 1));
      const int size = sqlite3_column_bytes(stmt, 1);
      if (rows.size() <= id) {
        rows.resize(id + 1);
      }
      rows[id].assign(data, static_cast<std::size_t>(size));
    }
    sqlite3_finalize(stmt);
    return rows;
  }

  std::string IntegrityCheck() {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, "PRAGMA integrity_check", -1, &stmt, nullptr);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

std::string Blob(std::mt19937_64& rng, std::size_t size) {
  std::string blob(size, '\0');
  for (char& c : blob) {
    c = static_cast<char>(rng() & 0xff);
  }
  return blob;
}

// Opens `path` through the shim in WAL mode with synchronous=FULL and no automatic checkpoint,
// so every committed page stays in the WAL file.
void PrepareWriter(Db& db) {
  ASSERT_EQ(db.open_rc(), SQLITE_OK);
  ASSERT_EQ(db.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                    "PRAGMA wal_autocheckpoint=0; PRAGMA cache_size=16"),
            SQLITE_OK);
  ASSERT_EQ(db.Exec("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, b BLOB)"), SQLITE_OK);
}

TEST(WalBatchVfs, RegistersOverTheDefaultVfs) {
  const char* name = WalBatchVfsName();
  ASSERT_NE(name, nullptr);
  EXPECT_NE(sqlite3_vfs_find(name), nullptr);
  EXPECT_NE(sqlite3_vfs_find(nullptr), sqlite3_vfs_find(name));  // not made the default
  EXPECT_EQ(WalBatchVfsName(), name);                            // registered once
}

// Small and large transactions (larger than the 4 MiB buffer, with a 16-page cache so pages are
// spilled, read back and rewritten inside a transaction) read back identically by a connection
// on the default VFS, and by a copy of the files taken right after the commits, which is what a
// crash would leave: nothing acknowledged may still be sitting in the shim's buffer.
TEST(WalBatchVfs, EveryCommitIsInTheFileWhenCommitReturns) {
  TempDir dir;
  const std::string path = (dir.path() / "batch.db").string();
  Db writer(path, WalBatchVfsName());
  PrepareWriter(writer);

  std::mt19937_64 rng(7);
  std::vector<std::string> expected(4000);
  for (std::size_t id = 0; id < 200; ++id) {  // one small transaction each
    expected[id] = Blob(rng, 100 + static_cast<std::size_t>(id) * 7);
    ASSERT_EQ(writer.Insert(id, expected[id]), SQLITE_DONE);
  }
  ASSERT_EQ(writer.Exec("BEGIN"), SQLITE_OK);  // ~11 MB in one transaction
  for (std::size_t id = 200; id < 4000; ++id) {
    expected[id] = Blob(rng, 3000);
    ASSERT_EQ(writer.Insert(id, expected[id]), SQLITE_DONE);
  }
  for (std::size_t id = 200; id < 4000; id += 3) {  // rewrite pages already spilled to the WAL
    expected[id] = Blob(rng, 2500);
    ASSERT_EQ(writer.Insert(id, expected[id]), SQLITE_DONE);
  }
  ASSERT_EQ(writer.Exec("COMMIT"), SQLITE_OK);
  expected[5] = Blob(rng, 9000);  // and one more small commit after the large one
  ASSERT_EQ(writer.Insert(5, expected[5]), SQLITE_DONE);

  Db reader(path, nullptr);
  ASSERT_EQ(reader.open_rc(), SQLITE_OK);
  EXPECT_TRUE(reader.Rows() == expected) << "a reader on the default VFS sees other bytes";

  const fs::path copy = dir.path() / "crash-image.db";
  fs::copy_file(path, copy);
  fs::copy_file(path + "-wal", copy.string() + "-wal");
  Db recovered(copy.string(), nullptr);
  ASSERT_EQ(recovered.open_rc(), SQLITE_OK);
  EXPECT_TRUE(recovered.Rows() == expected) << "the files lack part of an acknowledged commit";
  EXPECT_EQ(recovered.IntegrityCheck(), "ok");
}

// An underlying VFS whose writes to a WAL file fail while `g_fail_wal_writes` is set.
bool g_fail_wal_writes = false;
sqlite3_vfs* g_default = nullptr;
sqlite3_vfs g_failing{};
sqlite3_io_methods g_failing_methods{};
const sqlite3_io_methods* g_real_methods = nullptr;

int FailingWrite(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  if (g_fail_wal_writes) {
    return SQLITE_IOERR_WRITE;
  }
  return g_real_methods->xWrite(f, data, amount, offset);
}

int FailingOpen(sqlite3_vfs* /*vfs*/, const char* name, sqlite3_file* f, int flags, int* out) {
  const int rc = g_default->xOpen(g_default, name, f, flags, out);
  if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) != 0 && f->pMethods != nullptr) {
    g_real_methods = f->pMethods;
    g_failing_methods = *f->pMethods;
    g_failing_methods.xWrite = FailingWrite;
    f->pMethods = &g_failing_methods;
  }
  return rc;
}

// The shim over a VFS that fails WAL writes on demand (registered as the default only while the
// shim for it is created, then the previous default is restored).
const char* ShimOverFailingVfs() {
  static const char* const name = [] {
    g_default = sqlite3_vfs_find(nullptr);
    g_failing = *g_default;
    g_failing.zName = "actionlog-test-failing-wal";
    g_failing.xOpen = FailingOpen;
    g_failing.pNext = nullptr;
    sqlite3_vfs_register(&g_failing, 1);
    const char* shim = WalBatchVfsName();
    sqlite3_vfs_register(g_default, 1);
    return shim;
  }();
  return name;
}

TEST(WalBatchVfs, AFailedBatchWriteFailsTheCommitAndKeepsTheDatabase) {
  const char* shim = ShimOverFailingVfs();
  ASSERT_NE(shim, nullptr);
  ASSERT_NE(std::string(shim), std::string(WalBatchVfsName()));
  TempDir dir;
  const std::string path = (dir.path() / "failing.db").string();
  std::mt19937_64 rng(11);
  std::vector<std::string> expected(60);
  {
    Db writer(path, shim);
    PrepareWriter(writer);
    for (std::size_t id = 0; id < 50; ++id) {
      expected[id] = Blob(rng, 700);
      ASSERT_EQ(writer.Insert(id, expected[id]), SQLITE_DONE);
    }
    g_fail_wal_writes = true;  // the frames are buffered; the write at the commit's sync fails
    const int rc = writer.Insert(50, Blob(rng, 700));
    g_fail_wal_writes = false;
    EXPECT_NE(rc, SQLITE_DONE);
    EXPECT_EQ(sqlite3_vfs_find(nullptr), g_default);

    for (std::size_t id = 50; id < 60; ++id) {  // the connection goes on once writes work again
      expected[id] = Blob(rng, 700);
      ASSERT_EQ(writer.Insert(id, expected[id]), SQLITE_DONE);
    }
  }
  Db reader(path, nullptr);
  ASSERT_EQ(reader.open_rc(), SQLITE_OK);
  EXPECT_TRUE(reader.Rows() == expected);
  EXPECT_EQ(reader.IntegrityCheck(), "ok");
}

}  // namespace
}  // namespace actionlog::store::sqlite
