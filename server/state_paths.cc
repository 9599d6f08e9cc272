#include "server/state_paths.h"

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
  fs::path dir = db.parent_path();
  fs::create_directories(dir, ec);
  if (ec) return Status::FailedPrecondition("cannot create " + dir.string() + ": " + ec.message());
  StatePaths p;
  p.db = db.string();
  p.dir = dir.string();
  p.logs_dir = (dir / "logs").string();
  p.runner_lock = p.db + ".runner.lock";
  p.runner_log = (dir / "runner.log").string();
  // Doorbells are keyed by the database so that two databases never share a runner.
  std::ostringstream key;
  key << std::hex << std::hash<std::string>{}(p.db);
  p.runner_bell = "baton-" + key.str() + "-runner";
  p.bell_prefix = "baton-" + key.str() + "-fe-";
  return p;
}

}  // namespace baton
