// The append-only, hash-chained change log.
//
// Every journal write appends one entry in the same transaction: the row it wrote and, when an
// event write also changed the event's action (its updated_at or message), that action's new
// image as parent_row. The entry's canonical bytes
// are a JSON object with a fixed key order (see CanonicalBytes), and
//   hash = lower-hex(SHA-256(prev_hash || canonical bytes))
// where prev_hash is the previous entry's hash as 64 hex characters (64 '0' for the first entry).
// Changing, removing or reordering any entry breaks every later hash; a row changed without its
// entry no longer matches the newest image recorded for it. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "actionlog/core/types.hpp"

namespace actionlog {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Canonical JSON images of rows: every column but `id`-independent metadata, fixed key order,
// timestamps in storage form, null for empty optionals.
std::string RowImage(const Instance& row);
std::string RowImage(const Action& row);
std::string RowImage(const Event& row);

// The bytes that are hashed: every field of the entry except prev_hash and hash.
std::string CanonicalBytes(const ChangeEntry& entry);

// lower-hex(SHA-256(prev_hash || CanonicalBytes(entry))).
std::string ChainHash(std::string_view prev_hash, const ChangeEntry& entry);

// lower-hex(SHA-256(data)) and lower-hex(SHA-224(data)) (Nova's hostId).
std::string Sha256Hex(std::string_view data);
std::string Sha224Hex(std::string_view data);

}  // namespace actionlog
