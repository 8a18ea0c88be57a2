/**
 * A bare ocpp-rpc client standing in for a charge point in tests of the CSMS itself: strict by
 * default, no reconnects, closed by {@link closeAll}. (Agent tests use the real agent.)
 */
import { ocpp201Validator, ocppRpc } from '../../agent/ocpp/ocppRpc.js';

const { RPCClient } = ocppRpc;

export interface StubOptions {
  readonly strictMode?: boolean;
  readonly password?: string;
  readonly protocols?: readonly string[];
  readonly callTimeoutMs?: number;
}

/** The RPCClient surface these tests use (ocpp-rpc's typings demand every constructor option). */
export interface StubChargePoint {
  call(method: string, params?: unknown): Promise<unknown>;
  handle(method: string, handler: (args: { params: unknown }) => unknown): void;
  sendRaw(message: string): void;
  close(options?: { code?: number; reason?: string; force?: boolean }): Promise<unknown>;
  once(event: 'close', listener: (e: { code: number; reason: string }) => void): unknown;
  readonly state: number;
}

const open = new Set<StubChargePoint>();

export async function connectStub(url: string, identity: string, options: StubOptions = {}): Promise<StubChargePoint> {
  const client = new RPCClient({
    endpoint: `${url}/ocpp`,
    identity,
    protocols: [...(options.protocols ?? ['ocpp1.6'])],
    strictMode: options.strictMode ?? true,
    // ocpp-rpc's built-in validators are 1.6's; 2.0.1's are loaded on demand.
    ...(options.protocols?.includes('ocpp2.0.1') && { strictModeValidators: [ocpp201Validator()] }),
    reconnect: false,
    callTimeoutMs: options.callTimeoutMs ?? 3000,
    ...(options.password === undefined ? {} : { password: options.password }),
  } as unknown as ConstructorParameters<typeof RPCClient>[0]) as unknown as StubChargePoint;
  await (client as unknown as { connect(): Promise<unknown> }).connect();
  open.add(client);
  return client;
}

export async function closeAll(): Promise<void> {
  await Promise.all([...open].map((c) => c.close({ force: true }).catch(() => undefined)));
  open.clear();
}

export const BOOT = { chargePointVendor: 'evse-agent', chargePointModel: 'test' } as const;
