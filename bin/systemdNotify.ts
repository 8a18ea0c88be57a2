/**
 * systemd's service notification protocol for `evse run` under `Type=notify` (docs/deploy.md):
 * READY=1 once the agent runs, WATCHDOG=1 at half the unit's WatchdogSec while the event loop
 * turns (a hung process stops pinging and systemd restarts it), STOPPING=1 at shutdown, STATUS=…
 * for `systemctl status`.
 *
 * The protocol is one datagram per message on the unix socket named by $NOTIFY_SOCKET. Node's
 * dgram module has no unix datagram sockets, so they come from node-unix-socket (maintained,
 * prebuilt N-API binaries for x64/arm64/armhf, glibc and musl: no compiler on the board). The
 * `sd-notify` package was not used: it compiles against libsystemd with node-gyp at install.
 * node-unix-socket is loaded only when $NOTIFY_SOCKET is set, so a charger not under systemd
 * never loads it; one where it cannot load runs without notifications (logged).
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type * as UnixSocket from 'node-unix-socket';

type DgramSocket = UnixSocket.DgramSocket;

export interface NotifyEnvironment {
  NOTIFY_SOCKET?: string;
  WATCHDOG_USEC?: string;
  WATCHDOG_PID?: string;
}

export class SystemdNotifier {
  private timer: ReturnType<typeof globalThis.setInterval> | undefined;

  private constructor(
    private readonly socket: DgramSocket,
    private readonly path: string,
    /** Half the watchdog period in ms, or undefined without a watchdog for this process. */
    readonly watchdogEveryMs: number | undefined,
    private readonly log: Logger,
  ) {}

  /** A notifier when the process runs under systemd with Type=notify ($NOTIFY_SOCKET), else undefined. */
  static fromEnvironment(env: NotifyEnvironment, log: Logger, pid = process.pid): SystemdNotifier | undefined {
    const target = env.NOTIFY_SOCKET;
    if (!target) return undefined;
    let socket: DgramSocket;
    try {
      const { DgramSocket } = createRequire(import.meta.url)('node-unix-socket') as typeof UnixSocket;
      socket = new DgramSocket();
    } catch (err) {
      log.warn({ err }, 'systemd notification socket unavailable (node-unix-socket did not load): running without READY/WATCHDOG');
      return undefined;
    }
    socket.on('error', (err: Error) => log.warn({ err }, 'systemd notification failed'));
    // An abstract socket is written '@name'; on the wire its name starts with a NUL byte.
    const path = target.startsWith('@') ? `\0${target.slice(1)}` : target;
    const usec = Number(env.WATCHDOG_USEC);
    const forUs = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === pid;
    const every = Number.isFinite(usec) && usec > 0 && forUs ? Math.max(1, Math.floor(usec / 2000)) : undefined;
    return new SystemdNotifier(socket, path, every, log);
  }

  /** READY=1 (with a status line); starts the watchdog pings if the unit has WatchdogSec. */
  ready(status: string): void {
    this.send(`READY=1\nSTATUS=${status}`);
    if (this.watchdogEveryMs !== undefined && this.timer === undefined) {
      this.timer = globalThis.setInterval(() => this.send('WATCHDOG=1'), this.watchdogEveryMs);
      this.timer.unref();
    }
  }

  status(text: string): void {
    this.send(`STATUS=${text}`);
  }

  /** STOPPING=1; the watchdog stops with it. */
  stopping(): void {
    this.stopWatchdog();
    this.send('STOPPING=1');
  }

  close(): void {
    this.stopWatchdog();
    this.socket.close();
  }

  private stopWatchdog(): void {
    globalThis.clearInterval(this.timer);
    this.timer = undefined;
  }

  private send(message: string): void {
    const buf = Buffer.from(message);
    try {
      this.socket.sendTo(buf, 0, buf.length, this.path, (err) => {
        if (err) this.log.warn({ err }, 'systemd notification not delivered');
      });
    } catch (err) {
      this.log.warn({ err }, 'systemd notification not delivered');
    }
  }
}
