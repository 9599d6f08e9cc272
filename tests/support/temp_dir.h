// tests/support/temp_dir.h
//
// A fresh directory under $TMPDIR for one test, removed (with its contents) on destruction.
#pragma once

#include <string>

namespace baton::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Reads a whole file ("" when missing).
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

// Path of the baton binary under test ($BATON_BIN, set by ctest).
std::string BatonBinary();
// Root of the source tree ($BATON_SOURCE_DIR, set by ctest).
std::string SourceDir();

}  // namespace baton::testing
