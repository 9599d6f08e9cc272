// transport/doorbell.h
//
// A doorbell is how one baton process wakes another on the same machine without polling: a
// Linux abstract-namespace datagram socket. Ringing carries no data and no authority: whoever is
// woken re-reads the database. A front-end rings the runner when it enqueues or cancels; the
// runner rings every front-end when a job finishes. Bind/Wait on one thread; Ring from any.
#pragma once

#include <string>

#include "base/status.h"

namespace baton::transport {

class Doorbell {
 public:
  Doorbell() = default;
  ~Doorbell();
  Doorbell(const Doorbell&) = delete;
  Doorbell& operator=(const Doorbell&) = delete;

  // Binds the abstract name. AlreadyExists when another process holds it.
  Status Bind(const std::string& name);
  void Close();
  // The fd to poll for POLLIN (-1 when unbound).
  int fd() const { return fd_; }
  // Consumes every pending ring; returns how many there were.
  int Drain();
  // Waits up to timeout_ms for a ring; true when rung.
  bool Wait(int timeout_ms);

  // Rings `name`. Unavailable when nobody is bound to it (the process is gone).
  static Status Ring(const std::string& name);

 private:
  int fd_ = -1;
};

}  // namespace baton::transport
