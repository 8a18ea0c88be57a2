/**
 * What every contract suite receives besides the device under test: a way to let device time
 * pass. Device-side controls (weld a relay, present a card …) are declared per device in its
 * suite and may be asynchronous, so a serial driver's harness can implement them by writing to
 * a device simulator on a pseudo-terminal.
 */
export interface ContractHarness {
  /**
   * Lets `ms` of device time pass and resolves once everything caused within it (timers due,
   * frames sent, events) has been delivered. `advance(0)` just lets pending work settle.
   * Simulated twin: advance the SimulatedClock and flush pending promise callbacks. Serial
   * driver: advance the clock shared by driver and device simulator (or wait in real time),
   * then wait until the port is quiet.
   */
  advance(ms: number): Promise<void>;
  /** Tears down what the harness set up besides the device (simulator process, pty). */
  dispose?(): Promise<void>;
}

/** A device-side control: immediate for a simulated twin, a frame round trip for a simulator on a port. */
export type Control = void | Promise<void>;
