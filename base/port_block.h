// base/port_block.h
//
// A block of consecutive TCP ports free on loopback right now, for a job that starts servers of
// its own (BATON_PORT_BASE): parallel isolated jobs get different blocks instead of all fighting
// over 3000 or 8080. Free when looked at, not reserved: a port can still be taken later.
#pragma once

#include "base/result.h"

namespace baton {

// The first port of `count` consecutive ports in [20000, 60000) that bind on 127.0.0.1.
Result<int> FindFreePortBlock(int count);

}  // namespace baton
