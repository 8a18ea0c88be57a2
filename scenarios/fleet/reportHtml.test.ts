import { describe, expect, it } from 'vitest';
import { reportHtml } from './reportHtml.js';
import { emptyReport } from './WorkerSupervisor.js';

describe('fleet HTML report', () => {
  it('shows dead worker threads: restarts, slices given up, lost reports and each failure (escaped)', () => {
    const html = reportHtml({
      ...emptyReport(),
      workers: {
        threads: 2,
        deaths: 2,
        restarts: 1,
        chargersAffected: 12,
        slicesGivenUp: 1,
        chargersGivenUp: 6,
        lostWorkerReports: 1,
        failures: [{ at: '2026-11-25T08:00:00.000Z', worker: 0, chargers: 6, error: 'Error: <boom> & co', reportAgeMs: 420 }],
      },
    });
    expect(html).toContain('<h2>Worker threads</h2>');
    expect(html).toContain('<tr><th>died / restarted</th><td>2 / 1</td></tr>');
    expect(html).toContain('<tr><th>slices given up (chargers)</th><td>1 (6)</td></tr>');
    expect(html).toContain('<tr><th>final reports lost</th><td>1</td></tr>');
    expect(html).toContain('<td class="text">Error: &#60;boom&#62; &#38; co</td><td>420</td>');
  });

  it('has no worker section when no worker died', () => {
    const quiet = { ...emptyReport(), workers: { threads: 2, deaths: 0, restarts: 0, chargersAffected: 0, slicesGivenUp: 0, chargersGivenUp: 0, lostWorkerReports: 0, failures: [] } };
    expect(reportHtml(quiet)).not.toContain('Worker threads');
    expect(reportHtml(emptyReport())).not.toContain('Worker threads');
  });

  it('reads on a phone: a viewport, every table and chart in a box that scrolls sideways, text that wraps', () => {
    const html = reportHtml({ ...emptyReport(), bootResults: { Accepted: 40, Pending: 10 }, inboundCalls: { RemoteStartTransaction: 3 }, behaviour: { arrivals: 5 } });
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toMatch(/\.wide\{overflow-x:auto;max-width:100%\}/);
    expect(html).toMatch(/p\{overflow-wrap:anywhere\}/);
    // Numbers never break inside a cell (the box scrolls instead); text cells wrap at spaces.
    expect(html).toMatch(/td\{white-space:nowrap\}td\.text\{[^}]*white-space:normal/);
    expect(html).toMatch(/@media \(max-width:600px\)/);
    // No table outside its scrolling box.
    const tables = html.match(/<table>/g)!.length;
    expect(tables).toBeGreaterThanOrEqual(5);
    expect(html.match(/<div class="wide"><table>/g)!.length).toBe(tables);
  });

  it('shows the boot results as a table with counts and shares, not as JSON', () => {
    const html = reportHtml({ ...emptyReport(), bootResults: { Pending: 10, Accepted: 40 } });
    expect(html).toContain('<h2>Boot results</h2>');
    expect(html).toContain('<tr><th>status</th><th>results</th><th>share</th></tr><tr><td class="text">Accepted</td><td>40</td><td>80.0 %</td></tr><tr><td class="text">Pending</td><td>10</td><td>20.0 %</td></tr><tr><th>all</th><th>50</th><th></th></tr>');
    expect(html).not.toContain('{&#34;Accepted');
    expect(html).not.toContain('{"Accepted');
  });
});
