// storage/fault_vfs.h
//
// A test hook that makes SQLite's writes fail on demand, for a real process: the environment
// variable BATON_FAULT_INJECT names a control file, and while that file exists every write, sync
// and truncate of a database file (the db, its WAL, a journal) fails with an I/O error
// (SQLITE_IOERR_WRITE / _FSYNC / _TRUNCATE), as on a failing or full disk. Removing the file makes
// writes work again. Reads, locks and the WAL index are untouched.
//
// It is a real SQLite VFS: a shim registered as the default VFS that forwards everything to the
// one it wraps. Without BATON_FAULT_INJECT nothing is registered and SQLite runs unchanged.
// Private to storage/ (Db::Open calls it); thread-safe.
#pragma once

namespace baton::storage {

// The environment variable that enables the shim: the path of its control file.
inline constexpr const char* kFaultInjectEnv = "BATON_FAULT_INJECT";

// Registers the shim once per process when BATON_FAULT_INJECT is set; a no-op otherwise.
void RegisterFaultVfsFromEnvironment();

}  // namespace baton::storage
