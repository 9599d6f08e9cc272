#!/usr/bin/env node
// A baton event subscriber written with the official NATS JavaScript client
// (@nats-io/jetstream over @nats-io/transport-node). It binds a durable pull consumer on baton's
// stream (created on first run: explicit ack, redelivery on failure, max deliveries) and prints
// one JSON line per event on stdout. Replace handle() with what you want done: the message is
// acked when handle() resolves and nak'ed (redelivered after a delay) when it throws.
//
//   npm ci && node subscriber.mjs --servers nats://127.0.0.1:4222 --filter 'baton.default.job.*.failed.>'
//
// Flags: --servers URL, --stream NAME (BATON_EVENTS), --durable NAME (baton-js-subscriber),
// --filter SUBJECT (baton.default.job.>), --deliver all|new (new), --max-deliver N (5),
// --max N (exit after N events; for tests).
import { parseArgs } from "node:util";
import { connect } from "@nats-io/transport-node";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";

const { values: opt } = parseArgs({
  options: {
    servers: { type: "string", default: process.env.NATS_URL ?? "nats://127.0.0.1:4222" },
    stream: { type: "string", default: "BATON_EVENTS" },
    durable: { type: "string", default: "baton-js-subscriber" },
    filter: { type: "string", default: "baton.default.job.>" },
    deliver: { type: "string", default: "new" },
    "max-deliver": { type: "string", default: "5" },
    max: { type: "string" },
  },
});

// What to do with one event (docs/events.md has the payload schema).
async function handle(event, subject) {
  const job = event.job ?? {};
  const line = { subject, id: event.id, job_id: event.job_id, type: event.type, ts: event.ts,
                 state: job.state, command: job.command };
  process.stdout.write(JSON.stringify(line) + "\n");
}

const nc = await connect({ servers: opt.servers, name: "baton-js-subscriber",
                           maxReconnectAttempts: -1 });
const jsm = await jetstreamManager(nc);
try {
  await jsm.consumers.info(opt.stream, opt.durable);
} catch {
  await jsm.consumers.add(opt.stream, {
    durable_name: opt.durable,
    ack_policy: AckPolicy.Explicit,
    ack_wait: 30_000_000_000, // nanoseconds
    max_deliver: Number(opt["max-deliver"]),
    deliver_policy: opt.deliver === "all" ? DeliverPolicy.All : DeliverPolicy.New,
    filter_subject: opt.filter,
  });
}
const consumer = await jetstream(nc).consumers.get(opt.stream, opt.durable);
const messages = await consumer.consume({ max_messages: 64 });

const stop = () => messages.stop();
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

const max = opt.max ? Number(opt.max) : Infinity;
let seen = 0;
for await (const m of messages) {
  try {
    await handle(m.json(), m.subject);
    await m.ackAck(); // confirmed by the server: not redelivered after we exit
  } catch (err) {
    console.error(`event ${m.subject} failed (delivery ${m.info.deliveryCount}): ${err}`);
    m.nak(5000);
  }
  if (++seen >= max) break;
}
await nc.drain();
