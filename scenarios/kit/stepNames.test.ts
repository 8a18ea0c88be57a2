/** Unknown steps: the load-time scan of a scenario's source and the guarded namespaces at run time. */
import { describe, expect, it } from 'vitest';
import { runScenario } from './run.js';
import { scenario } from './scenario.js';
import { CONTEXT_KEYS, STEP_NAMES, contextParameter, scanSteps } from './stepNames.js';

describe('the load-time scan', () => {
  it('lists unknown steps and names with line, column and a suggestion', () => {
    const source = [
      'export default scenario("x", async (ctx) => {',
      '  await ctx.ev.plugIn(1); await ctx.ev.plugin(1);',
      '  // ctx.ev.nothing in a comment',
      "  await ctx.charger(2).csms.expct('Heartbeat');",
      "  await ctx.charger(2).evv.plugIn();",
      "  await ctx.clock.advence('1m'); ctx.nte('x'); ctx.chargers;",
      '  other.ev.whatever(); t.ev.plugin();',
      '});',
    ].join('\n');
    expect(scanSteps(source, 'ctx')).toEqual([
      { line: 2, column: 33, message: 'unknown step ctx.ev.plugin (did you mean ctx.ev.plugIn?)' },
      { line: 4, column: 9, message: 'unknown step ctx.charger(2).csms.expct (did you mean ctx.charger(2).csms.expect?)' },
      { line: 5, column: 9, message: 'unknown name ctx.charger(2).evv (did you mean ev?)' },
      { line: 6, column: 9, message: 'unknown step ctx.clock.advence (did you mean ctx.clock.advance?)' },
      { line: 6, column: 34, message: 'unknown name ctx.nte (did you mean note?)' },
    ]);
  });
  it('finds the context parameter of arrow and function bodies', () => {
    expect(contextParameter(async (t: unknown) => void t)).toBe('t');
    expect(contextParameter(async function named(site: unknown) { void site; })).toBe('site');
  });
});

describe('the guarded context at run time', () => {
  it('has exactly the steps the scan knows', async () => {
    const seen: Record<string, string[]> = {};
    const r = await runScenario(scenario('keys', { chargers: 2 }, async (t) => {
      for (const ns of Object.keys(STEP_NAMES)) seen[ns] = Object.keys((t as unknown as Record<string, object>)[ns]!);
      seen['t'] = Object.keys(t);
      seen['charger(2).ev'] = Object.keys(t.charger(2).ev);
    }));
    expect(r.status).toBe('passed');
    for (const [ns, names] of Object.entries(STEP_NAMES)) expect(seen[ns]?.sort()).toEqual([...names].sort());
    expect(seen['t']?.sort()).toEqual([...CONTEXT_KEYS].sort());
    expect(seen['charger(2).ev']?.sort()).toEqual([...STEP_NAMES.ev].sort());
  });
  it('throws a usage error naming the step, a suggestion and this file for an unknown step', async () => {
    const r = await runScenario(scenario('typo', { chargers: 2 }, async (t) => {
      await (t.charger(2).csms as unknown as { expct(): Promise<void> }).expct();
    }));
    expect(r.error).toMatchObject({ type: 'usage' });
    expect(r.error!.message).toMatch(/^unknown step t\.charger\(2\)\.csms\.expct \(did you mean t\.charger\(2\)\.csms\.expect\?\); t\.charger\(2\)\.csms has expect, .* \(at .*stepNames\.test\.ts:\d+:\d+\)$/);
    const r2 = await runScenario(scenario('write', async (t) => {
      (t.ev as unknown as Record<string, unknown>)['plugIn'] = null;
    }));
    expect(r2.error!.message).toMatch(/^t\.ev\.plugIn: the scenario context is read-only/);
  });
  it('still lets a namespace be awaited, spread-checked and printed', async () => {
    const r = await runScenario(scenario('await', async (t) => {
      expect(await (t.ev as unknown as Promise<unknown>)).toBe(t.ev);
      expect(JSON.stringify(t.rfid)).toBe('{}');
      expect(String(Object.keys(t.clock))).toBe('advance,elapsed,now');
    }));
    expect(r.error).toBeUndefined();
  });
});
