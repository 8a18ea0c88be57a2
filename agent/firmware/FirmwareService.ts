/**
 * Firmware updates, version-neutral (the OCPP 1.6 UpdateFirmware and SignedUpdateFirmware handlers
 * call it; OCPP 2.0.1 UpdateFirmware can too). One update at a time:
 *
 *   [DownloadScheduled] → Downloading → Downloaded → (signed: SignatureVerified | InvalidSignature)
 *   → [InstallScheduled] → Installing → (the staged image waits for no transaction) → InstallRebooting
 *   → reboot → Installed | InstallVerificationFailed
 *
 * with DownloadFailed after the last retry and InstallationFailed when the installer refuses the
 * image. Every status goes out as an event for the protocol face to report. The job is persisted at
 * each phase, so the start after the reboot reports the outcome (and a restart mid-download goes on,
 * resuming the partial file). A tampered or truncated image never reaches the installer: the running
 * firmware stays. Security events go through the {@link SecurityEventSink}.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { RealWork, type Clock } from '../../hal/clock.js';
import type { SecurityEventSink } from '../security/securityEvents.js';
import { downloadFile } from './downloadFile.js';
import type { FirmwareInstaller } from './FirmwareInstaller.js';
import type { FirmwareStore } from './FirmwareStore.js';
import { checkSigningCertificate, verifyImageSignature } from './firmwareSignature.js';
import type { FirmwareJob, FirmwareRequest, FirmwareRequestAnswer, FirmwareStatus, FirmwareStatusEvent } from './firmwareTypes.js';
import type { ManufacturerRoots } from './ManufacturerRoots.js';

/** What the update needs of the charger to reboot at a safe moment. */
export interface FirmwareChargerPort {
  /** Transactions running now. */
  transactionsRunning(): number;
  /** Calls `listener` whenever a transaction ended; returns the unsubscribe. */
  onTransactionEnded(listener: () => void): () => void;
  /** The install waits for the running sessions to end: from now until the reboot no new one starts (unless the charger lets them: AllowNewSessionsPendingFirmwareUpdate). */
  holdSessions(): void;
  /** Restarts the charger (the staged image becomes the running firmware). */
  reboot(): Promise<void>;
}

export interface FirmwareServiceOptions {
  store: FirmwareStore;
  installer: FirmwareInstaller;
  roots: ManufacturerRoots;
  security: SecurityEventSink;
  charger: FirmwareChargerPort;
  /** The version running now (what BootNotification reports). */
  runningVersion: string | undefined;
  clock: Clock;
  log: Logger;
  /** Give up a transfer after this long without data (real time, ms); default 60 s. */
  stallTimeoutMs?: number;
  /** Largest image accepted, bytes; default 512 MiB. */
  maxImageBytes?: number;
}

export interface FirmwareServiceEvents {
  status: [event: FirmwareStatusEvent];
}

/** Longest a stop waits for a running installer step, real ms. */
const STOP_WAIT_MS = 2000;

/** Raised inside a run when it is cancelled (a newer request, the agent stopping). */
class Cancelled extends Error {}

export class FirmwareService extends EventEmitter<FirmwareServiceEvents> {
  private job: FirmwareJob | undefined;
  private run: { abort: AbortController; done: Promise<void> } | undefined;
  private readonly log: Logger;
  private started = false;
  private requests: Promise<unknown> = Promise.resolve();
  /** Real I/O under way (transfer, verification, installer), as opposed to waiting on the clock or for transactions. */
  private readonly work = new RealWork();

  constructor(private readonly o: FirmwareServiceOptions) {
    super();
    this.log = o.log.child({ component: 'firmware' });
  }

  /** Picks up a persisted update: reports the outcome of the reboot it caused, or goes on with it. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // Reading the persisted update and reporting the reboot's outcome is real I/O too (settled()).
    this.work.set(true);
    let job: FirmwareJob | undefined;
    try {
      job = await this.o.store.load();
      if (job?.phase === 'reboot') {
        await this.finishAfterReboot(job);
        return;
      }
    } finally {
      this.work.set(false);
    }
    if (!job) return;
    this.log.info({ phase: job.phase, location: job.location }, 'firmware update goes on after a restart');
    this.launch(job);
  }

  /**
   * Stops what runs (the persisted job goes on at the next start). A download or a wait ends at
   * once; an installer that is still running is not waited for beyond `STOP_WAIT_MS` of real time
   * (a shutdown has seconds), and its phase runs again at the next start.
   */
  async stop(): Promise<void> {
    this.started = false;
    const run = this.run;
    this.run = undefined;
    run?.abort.abort();
    if (!run) return;
    // Real time: under virtual time nobody advances the clock during a shutdown (agent/withinRealTime.ts).
    let timer: ReturnType<typeof globalThis.setTimeout> | undefined;
    const gaveUp = new Promise<true>((resolve) => (timer = globalThis.setTimeout(() => resolve(true), STOP_WAIT_MS)));
    if (await Promise.race([run.done.then(() => false), gaveUp])) this.log.warn('firmware installer still running at shutdown: its phase runs again at the next start');
    globalThis.clearTimeout(timer);
  }

  /**
   * Resolves once no real I/O of an update is under way (a transfer, the signature check, the
   * installer); waiting on the clock (retry interval, retrieve/install time) or for transactions
   * does not count. Virtual-time owners let it settle between steps (DESIGN.md §5).
   */
  settled(): Promise<void> {
    return this.work.settled();
  }


  /** The status of the update under way of this kind (signed or plain), else Idle: for a triggered notification. */
  status(signed: boolean): FirmwareStatus {
    return this.job && Boolean(this.job.signed) === signed ? this.job.status : 'Idle';
  }

  /**
   * The same as an event, with the requestId of a signed update under way: what a triggered
   * SignedFirmwareStatusNotification (whitepaper ExtendedTriggerMessage) reports.
   */
  current(signed: boolean): FirmwareStatusEvent {
    const job = this.job && Boolean(this.job.signed) === signed ? this.job : undefined;
    return { status: job?.status ?? 'Idle', signed, ...(job?.requestId !== undefined && { requestId: job.requestId }) };
  }

  /**
   * A new update. A signed one whose certificate does not chain to an installed
   * ManufacturerRootCertificate is refused (InvalidCertificate, InvalidFirmwareSigningCertificate).
   * An update under way is cancelled (AcceptedCanceled) unless its image is already being
   * installed (Rejected).
   */
  request(req: FirmwareRequest): Promise<FirmwareRequestAnswer> {
    // One at a time: two requests arriving together must not both find nothing under way.
    const answer = this.requests.then(() => this.decide(req));
    this.requests = answer.catch(() => undefined);
    return answer;
  }

  private async decide(req: FirmwareRequest): Promise<FirmwareRequestAnswer> {
    if (req.signed) {
      const check = checkSigningCertificate(req.signed.signingCertificate, await this.o.roots.trustedManufacturerRoots(), this.o.clock.now());
      if (!check.ok) {
        this.log.warn({ requestId: req.requestId, reason: check.reason }, 'firmware update refused: invalid signing certificate');
        this.o.security.raise('InvalidFirmwareSigningCertificate', check.reason);
        return 'InvalidCertificate';
      }
    }
    const current = this.job;
    if (current && current.phase !== 'download') {
      this.log.warn({ requestId: req.requestId, phase: current.phase }, 'firmware update refused: another one is being installed');
      return 'Rejected';
    }
    if (current) {
      this.log.info({ requestId: current.requestId }, 'firmware update cancelled by a newer request');
      const run = this.run;
      this.run = undefined;
      run?.abort.abort();
      await run?.done;
      await this.o.store.removeImage();
    }
    const job: FirmwareJob = { ...req, phase: 'download', status: 'Idle' };
    await this.o.store.save(job);
    this.log.info({ requestId: req.requestId, location: req.location, signed: Boolean(req.signed) }, 'firmware update accepted');
    this.launch(job);
    return current ? 'AcceptedCanceled' : 'Accepted';
  }

  private launch(job: FirmwareJob): void {
    this.job = job;
    const abort = new AbortController();
    this.work.set(true);
    const done = this.execute(job, abort.signal)
      .catch((err: unknown) => {
        if (err instanceof Cancelled || abort.signal.aborted) return;
        this.log.error({ err }, 'firmware update failed unexpectedly');
      })
      .finally(() => this.work.set(false));
    this.run = { abort, done };
  }

  private report(job: FirmwareJob, status: FirmwareStatus): void {
    job.status = status;
    this.log.info({ status, requestId: job.requestId }, `firmware update: ${status}`);
    this.emit('status', { status, signed: Boolean(job.signed), ...(job.requestId !== undefined && { requestId: job.requestId }) });
  }

  /** Ends the job (success or failure): nothing is under way any more. */
  private async end(job: FirmwareJob): Promise<void> {
    if (this.job === job) this.job = undefined;
    await this.o.store.save(undefined);
  }

  private async execute(job: FirmwareJob, signal: AbortSignal): Promise<void> {
    if (job.phase === 'download') {
      if (!(await this.download(job, signal))) return;
      if (signal.aborted) throw new Cancelled();
      job.phase = 'install';
      await this.o.store.save(job);
    }
    if (job.phase === 'install') {
      if (!(await this.install(job, signal))) return;
      // Staged, even if the agent stopped meanwhile: the next start runs the new image.
      job.phase = 'reboot';
      await this.o.store.save(job);
    }
    if (signal.aborted) throw new Cancelled();
    await this.rebootWhenIdle(job, signal);
  }

  /** Downloads (with retries, resuming) and, for a signed update, verifies the image. False: the job ended. */
  private async download(job: FirmwareJob, signal: AbortSignal): Promise<boolean> {
    const { clock } = this.o;
    if (job.retrieveAt > clock.now()) {
      this.report(job, 'DownloadScheduled');
      await this.work.idle(this.o.clock, job.retrieveAt - clock.now(), signal, () => new Cancelled());
    }
    this.report(job, 'Downloading');
    const attempts = Math.max(0, job.retries) + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const { bytes, resumedFrom } = await downloadFile({
          url: job.location,
          file: this.o.store.imageFile,
          stallTimeoutMs: this.o.stallTimeoutMs ?? 60_000,
          maxBytes: this.o.maxImageBytes ?? 512 * 1024 * 1024,
          signal,
        });
        this.log.info({ bytes, resumedFrom, attempt }, 'firmware downloaded');
        break;
      } catch (err) {
        if (signal.aborted) throw new Cancelled();
        const last = attempt >= attempts;
        this.log.warn({ attempt, attempts, reason: (err as Error).message }, last ? 'firmware download failed: no retry left' : 'firmware download failed: retrying');
        if (last) {
          this.report(job, 'DownloadFailed');
          await this.end(job);
          return false;
        }
        await this.work.idle(this.o.clock, Math.max(0, job.retryIntervalS) * 1000, signal, () => new Cancelled());
      }
    }
    this.report(job, 'Downloaded');
    if (!job.signed) return true;
    const verdict = await verifyImageSignature(this.o.store.imageFile, job.signed.signature, job.signed.signingCertificate);
    if (signal.aborted) throw new Cancelled();
    if (!verdict.ok) {
      this.log.warn({ requestId: job.requestId, reason: verdict.reason }, 'firmware refused: invalid signature (the running firmware stays)');
      this.report(job, 'InvalidSignature');
      this.o.security.raise('InvalidFirmwareSignature', verdict.reason);
      await this.end(job);
      return false;
    }
    this.report(job, 'SignatureVerified');
    return true;
  }

  /** Hands the image to the installer, which stages it for the next start. False: the job ended. */
  private async install(job: FirmwareJob, signal: AbortSignal): Promise<boolean> {
    const { clock } = this.o;
    if (job.installAt !== undefined && job.installAt > clock.now()) {
      this.report(job, 'InstallScheduled');
      await this.work.idle(this.o.clock, job.installAt - clock.now(), signal, () => new Cancelled());
    }
    this.report(job, 'Installing');
    try {
      job.version = (await this.o.installer.install(this.o.store.imageFile)).version;
    } catch (err) {
      this.log.warn({ reason: (err as Error).message }, 'firmware installation failed (the running firmware stays)');
      this.report(job, 'InstallationFailed');
      await this.end(job);
      return false;
    }
    await this.o.store.removeImage();
    return true;
  }

  /**
   * Reboots once no transaction runs: until then no new session starts. The CSMS that will not
   * wait ends them itself (RemoteStopTransaction, Reset), and the reboot follows at once.
   */
  private async rebootWhenIdle(job: FirmwareJob, signal: AbortSignal): Promise<void> {
    const { charger } = this.o;
    // No I/O of ours from here: the wait and the reboot (which lets the agent settle) are the charger's.
    this.work.set(false);
    if (charger.transactionsRunning() > 0) {
      charger.holdSessions();
      this.log.info({ transactions: charger.transactionsRunning() }, 'firmware staged: rebooting once the running transactions have ended');
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          off();
          reject(new Cancelled());
        };
        const off = charger.onTransactionEnded(() => {
          if (charger.transactionsRunning() > 0) return;
          off();
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    this.report(job, 'InstallRebooting');
    this.log.info({ version: job.version }, 'rebooting into the new firmware');
    await charger.reboot();
  }

  /** At the start after the reboot: the running version says whether the staged image took. */
  private async finishAfterReboot(job: FirmwareJob): Promise<void> {
    this.job = job;
    const running = this.o.runningVersion;
    if (job.version !== undefined && running === job.version) {
      this.report(job, 'Installed');
      this.o.security.raise('FirmwareUpdated', `firmware ${running} installed`);
    } else {
      this.log.error({ expected: job.version, running }, 'firmware update did not take: another version runs');
      this.report(job, job.signed ? 'InstallVerificationFailed' : 'InstallationFailed');
    }
    await this.end(job);
  }


}
