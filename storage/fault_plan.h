// storage/fault_plan.h
//
// The fault-injection plan of a process, for tests (after leveldb's ErrorEnv): the environment
// variable BATON_FAULT_INJECT names a control file and, while that file exists, the operations it
// lists fail as on a failing or full disk. One rule per line:
//
//   POINT        every operation at POINT fails
//   POINT N      only the Nth one fails (counted from when the file appeared or last changed)
//   POINT N+     the Nth one and every later one fail
//
// An empty file means "db.write", "db.sync" and "db.truncate": every database write fails.
// Points: db.write (any write to a database file, its WAL or a journal), db.commit (the write that
// commits a transaction: a WAL commit frame), db.sync, db.truncate (storage/fault_vfs.h);
// log.mkdir (an attempt's log directory), log.open (its output files), log.write (copying its
// output), stdin.write (its stdin file) (server/runner/local_executor.h). Removing the file makes
// everything work again. Without BATON_FAULT_INJECT, InjectFault() is false at once. Thread-safe.
#pragma once

#include <string_view>

namespace baton::storage {

// The environment variable that enables fault injection: the path of its control file.
inline constexpr const char* kFaultInjectEnv = "BATON_FAULT_INJECT";

// The control file's path, or nullptr when BATON_FAULT_INJECT is not set.
const char* FaultControlFile();

// Counts one operation at `point` and says whether it must fail now.
bool InjectFault(std::string_view point);

}  // namespace baton::storage
