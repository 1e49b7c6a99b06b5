import "server-only";
import type { TLSSocket } from "node:tls";
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from "smtp-server";
import { isEmail } from "../schemas/common";
import { MAX_RECIPIENTS } from "../schemas/compose";
import { hitDeviceRate } from "../rate-limit/key-rate";
import { logError, logInfo } from "../log";
import { authenticateDevice, ipOnlyDevice, type RelayDevice } from "./authenticate-device";
import { relayCertificate } from "./certificate";
import { countDeviceMessage, noteDeviceSeen } from "./device-stats";
import { handleMessage } from "./handle-message";
import { relayInfo, type RelayInfo } from "./relay-info";
import { databaseDown, reply, retryHint, type SmtpReply } from "./replies";

/**
 * The SMTP relay: printers, scanners and old applications hand it mail with SMTP AUTH (or, for IP-only
 * devices, from a listed address), and it queues each message as a Send in the one outbox (lib/outbox),
 * so pacing, retries, History and audit apply as to every other door. Built on smtp-server (Nodemailer's
 * SMTP server: the protocol, PIPELINING, dot-stuffing, SIZE, STARTTLS, AUTH PLAIN/LOGIN with the exact
 * `334 VXNlcm5hbWU6` / `334 UGFzc3dvcmQ6` prompts — "Username:" / "Password:" — that old devices wait for).
 *
 * Two listeners: PORTAL_SMTP_PORT (STARTTLS; plaintext only for devices an admin allowed it, from their
 * own addresses) and PORTAL_SMTP_TLS_PORT (implicit TLS, RFC 8314). TLS uses the admin's certificate or
 * one the portal generates (certificate.ts), with PORTAL_SMTP_MIN_TLS / PORTAL_SMTP_CIPHERS for old
 * devices. Every answer is what the portal knows at that moment (replies.ts): 250 only once the Send has
 * committed.
 */
interface Conn {
  ip: string;
  tls: string | null;
  device: RelayDevice | null;
  auth: string | null;
}

export interface Relay {
  /** The ports actually bound (an ephemeral port when 0 was asked for), null when not listening. */
  ports: { starttls: number | null; implicitTls: number | null };
  caFile: string | null;
  close(): Promise<void>;
}

const LEGACY = new Set(["TLSv1", "TLSv1.1"]);

/** TLS settings of the listeners: the certificate, the minimum version and the ciphers (the legacy profile). */
export function tlsSettings(info: RelayInfo): Pick<SMTPServerOptions, "key" | "cert" | "minVersion" | "ciphers"> & { caFile: string | null } {
  const { key, cert, caFile } = relayCertificate(info);
  // OpenSSL 3 refuses TLS 1.0/1.1 at its default security level (SHA-1 in their handshake); a legacy
  // profile without ciphers of its own lowers it (https://docs.openssl.org/3.0/man3/SSL_CTX_set_security_level/).
  const ciphers = info.ciphers ?? (LEGACY.has(info.minTls) ? "DEFAULT:@SECLEVEL=0" : undefined);
  return { key, cert, caFile, minVersion: info.minTls, ...(ciphers ? { ciphers } : {}) };
}

export function createRelayServer(info: RelayInfo, secure: boolean, tls: ReturnType<typeof tlsSettings>): SMTPServer {
  const conns = new Map<string, Conn>();
  const conn = (s: SMTPServerSession): Conn => {
    let c = conns.get(s.id);
    if (!c) conns.set(s.id, (c = { ip: s.remoteAddress, tls: null, device: null, auth: null }));
    return c;
  };
  const { caFile: _ca, ...tlsOptions } = tls;
  const fail = (cb: (err?: Error | null) => void, err: unknown, device?: RelayDevice | null) => {
    const r = err instanceof Error && err.name === "SmtpReply" ? (err as SmtpReply) : databaseDown();
    if (r !== err) logError("smtp: unexpected failure", err);
    if (device && (r.responseCode >= 500 || r.message.startsWith("4.7.1"))) void countDeviceMessage(device.id, "refused");
    cb(r);
  };
  return new SMTPServer({
    ...tlsOptions,
    secure,
    name: info.hostname,
    banner: "Graph Mail Portal relay",
    size: info.maxMessageBytes,
    authMethods: ["PLAIN", "LOGIN"],
    // Both decided per device in authenticate-device.ts (plaintext only for allowed legacy devices) and
    // in onMailFrom below (IP-only devices), not once for the whole listener.
    allowInsecureAuth: true,
    authOptional: true,
    disabledCommands: secure ? ["STARTTLS"] : [],
    logger: false,
    // Old devices can be slow to finish a scan; a stalled connection still goes after two minutes.
    socketTimeout: 120_000,
    onConnect(session, cb) {
      conn(session);
      cb();
    },
    onSecure(socket, session, cb) {
      const c = conn(session);
      c.tls = (socket as TLSSocket).getProtocol?.() ?? "TLS";
      // RFC 3207 §4.2: what the client established before STARTTLS (its identity) is forgotten.
      c.device = null;
      c.auth = null;
      cb();
    },
    onAuth(auth, session, cb) {
      const c = conn(session);
      authenticateDevice({ username: auth.username ?? "", password: auth.password ?? "", ip: c.ip, secure: session.secure })
        .then((device) => {
          c.device = device;
          c.auth = auth.method;
          void noteDeviceSeen(device.id, { ip: c.ip, tls: c.tls, auth: auth.method });
          cb(null, { user: device.id });
        })
        .catch((err: unknown) => fail(cb, err));
    },
    onMailFrom(address, session, cb) {
      const c = conn(session);
      void (async () => {
        if (!c.device) {
          const device = await ipOnlyDevice(c.ip);
          if (!device) throw reply(530, "5.7.0", "Authentication required: this relay takes mail from registered devices only (AUTH, or an IP-only device's listed address)");
          if (!session.secure && !device.allowPlaintext) throw reply(530, "5.7.0", "Must issue a STARTTLS command first");
          c.device = device;
          c.auth = "none (IP)";
          void noteDeviceSeen(device.id, { ip: c.ip, tls: c.tls, auth: c.auth });
        }
        const device = c.device;
        const max = Math.min(device.maxMessageBytes ?? info.maxMessageBytes, info.maxMessageBytes);
        const args = address.args as Record<string, string> | false;
        const declared = Number((args && args.SIZE) || 0);
        if (declared > max) throw reply(552, "5.3.4", `The message is larger than ${Math.round(max / 1024 / 1024)} MB, the most this device may send`);
        const rate = await hitDeviceRate(device.id, device.ratePerMinute);
        if (!rate.ok) throw reply(451, "4.7.1", `This device is over its rate of ${device.ratePerMinute} messages a minute; ${retryHint(rate.retryAfterMs)}`);
      })()
        .then(() => cb())
        .catch((err: unknown) => fail(cb, err, c.device));
    },
    onRcptTo(address, session, cb) {
      if (!isEmail(address.address)) return cb(reply(553, "5.1.3", `${address.address.slice(0, 100)} is not an email address`));
      // RFC 5321 §4.5.3.1.10: the client sends the others in another transaction.
      if (session.envelope.rcptTo.length >= MAX_RECIPIENTS) return cb(reply(452, "4.5.3", `Too many recipients: at most ${MAX_RECIPIENTS} per message (Microsoft's limit)`));
      cb();
    },
    onData(stream, session, cb) {
      const c = conn(session);
      const device = c.device;
      if (!device) {
        stream.resume();
        return cb(reply(530, "5.7.0", "Authentication required"));
      }
      const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null;
      handleMessage(stream, { device, envelope: { mailFrom, rcptTo: session.envelope.rcptTo.map((r) => r.address) }, relayMaxBytes: info.maxMessageBytes })
        .then(({ sendId }) => {
          void countDeviceMessage(device.id, "queued");
          cb(null, `2.0.0 Queued as ${sendId}: the portal will deliver it through Microsoft Graph`);
        })
        .catch((err: unknown) => fail(cb, err, device));
    },
    onClose(session) {
      conns.delete(session.id);
    },
  });
}

function listen(server: SMTPServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.removeListener("error", onError);
      // A connection's own trouble (a reset, a failed handshake) is not the listener's.
      server.on("error", (err) => logError("smtp: connection error", err));
      const a = server.server.address();
      resolve(typeof a === "object" && a ? a.port : port);
    });
  });
}

export async function startRelay(info: RelayInfo = relayInfo()): Promise<Relay> {
  const tls = tlsSettings(info);
  const servers: SMTPServer[] = [];
  const close = () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined);
  try {
    const starttls = createRelayServer(info, false, tls);
    servers.push(starttls);
    const port = await listen(starttls, info.port, info.bind);
    let implicitTls: number | null = null;
    if (info.implicitTlsPort !== null) {
      const s = createRelayServer(info, true, tls);
      servers.push(s);
      implicitTls = await listen(s, info.implicitTlsPort, info.bind);
    }
    logInfo(`SMTP relay listening on ${info.bind}:${port} (STARTTLS)${implicitTls ? ` and ${info.bind}:${implicitTls} (implicit TLS)` : ""}, minimum ${info.minTls}`);
    return { ports: { starttls: port, implicitTls }, caFile: tls.caFile, close };
  } catch (err) {
    await close();
    throw err;
  }
}

const g = globalThis as unknown as { __gmpRelay?: Promise<Relay | null> };

/**
 * The relay of this portal process (lib/startup.ts), when PORTAL_SMTP_PORT is not 0. A port already in
 * use or an unreadable certificate is logged and leaves the rest of the portal running.
 */
export function startPortalRelay(): Promise<Relay | null> {
  const info = relayInfo();
  if (!info.enabled) return Promise.resolve(null);
  g.__gmpRelay ??= startRelay(info).catch((err: unknown) => {
    logError(`SMTP relay could not start on ${info.bind}:${info.port}`, err);
    return null;
  });
  return g.__gmpRelay;
}

/** Stops accepting connections; connected devices get 421 (smtp-server), nothing half-received is queued. */
export async function stopPortalRelay(): Promise<void> {
  const r = await g.__gmpRelay;
  g.__gmpRelay = undefined;
  await r?.close();
}
