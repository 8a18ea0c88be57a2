/**
 * A real mosquitto broker for integration tests: 127.0.0.1 only, a free port, a generated config
 * in a temp dir, no persistence (a restart loses retained messages, like a broker without a
 * persistence file). Stopped by PID. Fails loudly when mosquitto is not installed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';

export const MOSQUITTO_BIN = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

/** Brokers still running; killed by PID if the test process exits without stopping them. */
const live = new Set<number>();
process.once('exit', () => {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export interface Mosquitto {
  readonly port: number;
  /** `mqtt://127.0.0.1:<port>`, or `mqtts://` with {@link MosquittoOptions.tls}. */
  readonly url: string;
  /** PID of the running broker (undefined while stopped). */
  readonly pid: number | undefined;
  /** Everything the broker logged so far (all runs). */
  log(): string;
  /** Kills the broker by PID (SIGTERM, then SIGKILL after 3 s) and waits for its exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (retained messages are gone). */
  restart(): Promise<void>;
  /** Stops it and removes the temp dir. */
  close(): Promise<void>;
}

export interface MosquittoOptions {
  port?: number;
  /**
   * Username → password: anonymous clients are refused and these users exist (password file made
   * with mosquitto_passwd next to the broker binary).
   */
  users?: Record<string, string>;
  /** Contents of a mosquitto `acl_file` (needs `users`). */
  acl?: string;
  /** A TLS listener instead of plain TCP (PEM files, copied into the broker's temp dir). */
  tls?: {
    certFile: string;
    keyFile: string;
    /** CA for client certificates; with `requireCertificate` every client must present one it signed. */
    caFile?: string;
    requireCertificate?: boolean;
  };
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  if (!existsSync(MOSQUITTO_BIN)) throw new Error(`mosquitto not found at ${MOSQUITTO_BIN} (apt-get install mosquitto, or set MOSQUITTO_BIN)`);
  const port = opts.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'evse-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  const auth: string[] = ['allow_anonymous true'];
  if (opts.users) {
    const passwd = join(dir, 'passwd');
    await writeFile(passwd, '', { mode: 0o600 });
    const tool = process.env.MOSQUITTO_PASSWD_BIN ?? '/usr/bin/mosquitto_passwd';
    for (const [user, password] of Object.entries(opts.users)) execFileSync(tool, ['-b', passwd, user, password], { stdio: 'pipe' });
    auth.splice(0, 1, 'allow_anonymous false', `password_file ${passwd}`);
  }
  if (opts.acl !== undefined) {
    const acl = join(dir, 'acl');
    await writeFile(acl, opts.acl, { mode: 0o600 });
    auth.push(`acl_file ${acl}`);
  }
  const listener = [`listener ${port} 127.0.0.1`];
  if (opts.tls) {
    const { certFile, keyFile, caFile, requireCertificate } = opts.tls;
    await copyFile(certFile, join(dir, 'server.pem'));
    await copyFile(keyFile, join(dir, 'server.key'));
    listener.push(`certfile ${join(dir, 'server.pem')}`, `keyfile ${join(dir, 'server.key')}`);
    if (caFile) {
      await copyFile(caFile, join(dir, 'ca.pem'));
      listener.push(`cafile ${join(dir, 'ca.pem')}`);
    }
    if (requireCertificate) listener.push('require_certificate true');
  }
  if (opts.users || opts.acl !== undefined || opts.tls) await handOverToBrokerUser(dir);
  await writeFile(conf, [...listener, ...auth, 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', ''].join('\n'));
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async () => {
    const c = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    const pid = c.pid;
    if (pid !== undefined) {
      live.add(pid);
      c.once('exit', () => live.delete(pid));
    }
    c.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<never>((_, reject) =>
      c.once('exit', (code, signal) => reject(new Error(`mosquitto exited during start (code ${code}, signal ${signal}):\n${output}`))),
    );
    const spawnError = new Promise<never>((_, reject) => c.once('error', reject));
    await Promise.race([waitForPort(port, 5000), exited, spawnError]);
  };

  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const done = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    process.kill(c.pid, 'SIGTERM');
    const timer = setTimeout(() => c.pid !== undefined && c.exitCode === null && process.kill(c.pid, 'SIGKILL'), 3000);
    await done;
    clearTimeout(timer);
  };

  await launch();
  return {
    port,
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    log: () => output,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Started as root, mosquitto drops to the `mosquitto` user before it reads the password, ACL and
 * TLS files: give it the temp dir (0700) and those files, which stay private to the broker.
 */
async function handOverToBrokerUser(dir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'mosquitto'], { stdio: 'pipe' }).toString());
    gid = Number(execFileSync('id', ['-g', 'mosquitto'], { stdio: 'pipe' }).toString());
  } catch {
    return; // no such user: mosquitto stays root
  }
  for (const name of ['', 'passwd', 'acl', 'server.pem', 'server.key', 'ca.pem']) {
    const path = join(dir, name);
    if (existsSync(path)) await chown(path, uid, gid);
  }
}

/** A port the OS says is free on 127.0.0.1 (mosquitto binds it right after). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once a TCP connection to 127.0.0.1:port succeeds. */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (performance.now() > deadline) throw new Error(`mosquitto did not accept connections on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface ReceivedMessage {
  topic: string;
  /** The payload as text, exactly as published. */
  raw: string;
  /** The payload parsed as JSON (undefined if it is not JSON). */
  json: unknown;
  retain: boolean;
}

export interface Recorder {
  readonly client: MqttClient;
  readonly messages: ReceivedMessage[];
  /** Messages on one topic, parsed. */
  on<T = Record<string, unknown>>(topic: string): T[];
  /** Waits (real time) until `predicate` holds for the messages so far. */
  waitFor(predicate: (messages: ReceivedMessage[]) => boolean, what: string, ms?: number): Promise<void>;
  end(): Promise<void>;
}

/** A test client subscribed to `filter` (QoS 1), recording every message; resolves once subscribed. */
export async function record(url: string, filter: string, options: Pick<IClientOptions, 'username' | 'password' | 'ca' | 'cert' | 'key'> = {}): Promise<Recorder> {
  const client = await connectAsync(url, { reconnectPeriod: 100, clientId: `rec-${Math.random().toString(16).slice(2)}`, ...options });
  const messages: ReceivedMessage[] = [];
  client.on('message', (topic, payload, packet) => {
    const raw = payload.toString();
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    messages.push({ topic, raw, json, retain: packet.retain });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return {
    client,
    messages,
    on: <T>(topic: string) => messages.filter((m) => m.topic === topic).map((m) => m.json as T),
    async waitFor(predicate, what, ms = 5000) {
      const deadline = performance.now() + ms;
      while (!predicate(messages)) {
        if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; got:\n${messages.map((m) => `${m.topic} ${m.raw}`).join('\n')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    end: async () => {
      await client.endAsync(true);
    },
  };
}
