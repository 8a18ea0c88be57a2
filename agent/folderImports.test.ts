/**
 * The folders of agent/ form layers: no two of them import each other (madge finds circles
 * between files; this finds them between folders, where a file-level circle starts). Tests count
 * too: a test that needs a folder above its own is a test of that folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const AGENT = dirname(fileURLToPath(import.meta.url));
const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)'(\.{1,2}\/[^']+)'/g;

/** `agent` for the files directly in agent/, else `agent/<first folder>`; undefined outside agent/. */
function folderOf(file: string): string | undefined {
  const path = relative(AGENT, file);
  if (path.startsWith('..')) return undefined;
  const parts = path.split(sep);
  return parts.length === 1 ? 'agent' : `agent/${parts[0]}`;
}

/** Folder → folder it imports → one file that does, for the message. */
function folderImports(): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  const files = (readdirSync(AGENT, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  for (const name of files) {
    const file = join(AGENT, name);
    const from = folderOf(file)!;
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const to = folderOf(join(dirname(file), spec!));
      if (to === undefined || to === from) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, name);
    }
  }
  return edges;
}

describe('agent/ folders', () => {
  it('import each other one way only', () => {
    const edges = folderImports();
    const pairs: string[] = [];
    for (const [a, targets] of edges) {
      for (const [b, example] of targets) {
        const back = edges.get(b)?.get(a);
        if (back && a < b) pairs.push(`${a} <-> ${b} (${example} imports ${b}, ${back} imports ${a})`);
      }
    }
    expect(pairs).toEqual([]);
  });

  it('sees the imports it checks (the store imports the OCPP vocabulary)', () => {
    expect(folderImports().get('agent/store')?.has('agent/ocpp16')).toBe(true);
  });
});
