// Forwards 127.0.0.1:PORT to a Unix socket: inside a private network namespace (where only
// loopback exists and the test's own loopback is out of reach), Claude Code reaches the model
// stand-in, which also listens on a Unix socket (the file system is shared across namespaces).
//   node tcp_to_unix.mjs PORT SOCKET_PATH
import { connect, createServer } from "node:net";

const [port, path] = process.argv.slice(2);
if (!port || !path) {
  console.error("usage: tcp_to_unix.mjs PORT SOCKET_PATH");
  process.exit(2);
}
createServer((client) => {
  const upstream = connect(path);
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", close);
  upstream.on("error", close);
}).listen(Number(port), "127.0.0.1");
