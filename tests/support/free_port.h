// tests/support/free_port.h
//
// A loopback TCP port for a server a test starts (nats-server, baton serve --http).
#pragma once

namespace baton::testing {

// A TCP port on 127.0.0.1 that was free a moment ago. Throws when no socket can be bound.
int FreeLoopbackPort();

}  // namespace baton::testing
