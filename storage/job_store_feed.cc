// JobStore: the events every front-end's job feed reads (server/jobs/job_feed.h). Events rows are
// append-only with increasing ids, so a cursor on the id sees each change once.
#include "storage/job_store.h"
#include "storage/sqlite_db.h"

namespace baton {

using storage::Stmt;

Event JobStore::ReadEvent(Stmt& st) {
  return {st.Int(0), st.Int(1), st.Int(2), st.Text(3), st.Text(4), st.Text(5)};
}

Result<std::vector<Event>> JobStore::EventsAfter(int64_t after_id, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "SELECT id, ts_ms, COALESCE(job_id, 0), type, queue, data FROM events WHERE id > ? "
      "ORDER BY id LIMIT ?"));
  st->Bind(1, after_id).Bind(2, limit);
  return st->ReadAll<Event>(ReadEvent);
}

}  // namespace baton
