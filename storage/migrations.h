// storage/migrations.h
//
// The schema, as an ordered list of migrations applied by PRAGMA user_version. A database created
// by an older baton is brought forward on open; one from a newer baton is refused.
#pragma once

#include "base/status.h"

namespace baton::storage {

class Db;

// Applies every migration newer than the file's user_version, each in its own transaction.
Status Migrate(Db& db);

// The user_version a fully migrated database has.
int LatestSchemaVersion();

}  // namespace baton::storage
