/**
 * The NODE_OPTIONS a board runs `evse run` with, read from deploy/systemd/evse-agent.service so
 * that tests and benchmarks measure exactly what ships.
 */
import { readFileSync } from 'node:fs';

export function boardNodeOptions(): string {
  // From the sources the unit is ../../deploy; from the build (dist/test/support) ../../../deploy.
  const up = import.meta.url.includes('/dist/') ? '../../../' : '../../';
  const unit = readFileSync(new URL(`${up}deploy/systemd/evse-agent.service`, import.meta.url), 'utf8');
  const m = /^Environment="NODE_OPTIONS=([^"\n]*)"$/m.exec(unit) ?? /^Environment=NODE_OPTIONS=(\S*)$/m.exec(unit);
  if (!m) throw new Error('deploy/systemd/evse-agent.service sets no NODE_OPTIONS');
  return m[1]!.trim();
}
