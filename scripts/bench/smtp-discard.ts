/**
 * The baseline of `npm run bench:smtp`: a plain smtp-server with the same TLS and AUTH that accepts any
 * credentials and discards every message — what the SMTP protocol, TLS and the client cost on this
 * machine, without the portal (storage, headers, database, queueing).
 *   node --import tsx scripts/bench/smtp-discard.ts   (PORT, CERT_FILE, KEY_FILE from the environment)
 */
import { readFileSync } from "node:fs";
import { SMTPServer } from "smtp-server";

const server = new SMTPServer({
  key: readFileSync(process.env.KEY_FILE!, "utf8"),
  cert: readFileSync(process.env.CERT_FILE!, "utf8"),
  minVersion: "TLSv1.2",
  authMethods: ["PLAIN", "LOGIN"],
  logger: false,
  size: 150 * 1024 * 1024,
  onAuth: (auth, _s, cb) => cb(null, { user: auth.username }),
  onData(stream, _s, cb) {
    stream.on("end", () => cb(null, "2.0.0 discarded"));
    stream.resume();
  },
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("SMTP relay listening (discard baseline)"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
