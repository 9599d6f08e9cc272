// storage/fault_vfs.h
//
// A test hook that makes SQLite's writes fail on demand, for a real process: while the control
// file named by BATON_FAULT_INJECT exists, the writes, commits, syncs and truncates of database
// files (the db, its WAL, a journal) that it lists fail with an I/O error (SQLITE_IOERR_WRITE /
// _FSYNC / _TRUNCATE), as on a failing or full disk; an empty file fails them all
// (storage/fault_plan.h has the rules). Reads, locks and the WAL index are untouched.
//
// It is a real SQLite VFS: a shim registered as the default VFS that forwards everything to the
// one it wraps. Without BATON_FAULT_INJECT nothing is registered and SQLite runs unchanged.
// Private to storage/ (Db::Open calls it); thread-safe.
#pragma once

#include "storage/fault_plan.h"

namespace baton::storage {

// Registers the shim once per process when BATON_FAULT_INJECT is set; a no-op otherwise.
void RegisterFaultVfsFromEnvironment();

}  // namespace baton::storage
