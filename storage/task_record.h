// storage/task_record.h
//
// An MCP task as stored: a handle, bound to the principal that created it, on the jobs one tool
// call would have waited for. The task's status is not stored; it is read from the jobs (see
// server/mcp/mcp_tasks.h), so every front-end on the database, and a restarted one, sees the same.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/job.h"

namespace baton {

struct TaskRecord {
  int64_t seq = 0;          // insertion order (the tasks/list cursor)
  std::string id;           // random, unguessable
  std::string principal;    // only this principal can see it
  std::string session;      // the MCP session that created it
  std::string era;          // "2025-11-25" (core tasks) or "2026-07-28" (the tasks extension)
  std::string tool;         // the tool call it stands for
  std::vector<JobId> job_ids;
  std::string view_json = "{}";  // how to render the result (status tool options)
  int64_t created_ms = 0;
  std::optional<int64_t> ttl_ms;  // none: kept as long as its jobs
  std::optional<int64_t> cancelled_ms;
};

}  // namespace baton
