#include "server/jobs/state_paths.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <sstream>

namespace baton {

std::string DefaultDbPath() {
  if (const char* db = std::getenv("BATON_DB"); db && *db) return db;
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/baton/baton.db";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.local/state/baton/baton.db";
}

Result<StatePaths> ResolveStatePaths(const std::string& db_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path db = fs::absolute(db_path, ec).lexically_normal();
  if (ec) return Status::InvalidArgument("--db " + db_path + ": " + ec.message());
  fs::create_directories(db.parent_path(), ec);
  if (ec)
    return Status::FailedPrecondition("cannot create " + db.parent_path().string() + ": " + ec.message());
  // The runner lock and the doorbells must be the same however the database is reached: through
  // a symlink (resolved here), a hard link (refused: SQLite's -wal and -shm files follow the
  // name, so two names are two journals) or a bind mount (keyed by the folder's device and inode).
  db = fs::weakly_canonical(db, ec);
  if (ec) return Status::InvalidArgument("--db " + db_path + ": " + ec.message());
  fs::path dir = db.parent_path();
  struct stat file {}, folder {};
  if (stat(db.c_str(), &file) == 0 && S_ISREG(file.st_mode) && file.st_nlink > 1)
    return Status::FailedPrecondition(
        "--db " + db.string() + " has " + std::to_string(file.st_nlink) +
        " hard links; open the database by one name (copy it, or use a symlink)");
  if (stat(dir.c_str(), &folder) != 0)
    return Status::FailedPrecondition("cannot stat " + dir.string());
  StatePaths p;
  p.db = db.string();
  p.dir = dir.string();
  p.logs_dir = (dir / "logs").string();
  p.worktrees_dir = (dir / "worktrees").string();
  p.runner_lock = p.db + ".runner.lock";
  p.runner_log = (dir / "runner.log").string();
  // Doorbells are keyed by the database (its folder's identity and its name) so that two
  // databases never share a runner and one database reached by two paths has one.
  std::ostringstream key;
  key << std::hex << folder.st_dev << "-" << folder.st_ino << "-"
      << std::hash<std::string>{}(db.filename().string());
  p.runner_bell = "baton-" + key.str() + "-runner";
  p.bell_prefix = "baton-" + key.str() + "-fe-";
  return p;
}

}  // namespace baton
