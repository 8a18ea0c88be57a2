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
    expect(html).toContain('<td>Error: &#60;boom&#62; &#38; co</td><td>420</td>');
  });

  it('has no worker section when no worker died', () => {
    const quiet = { ...emptyReport(), workers: { threads: 2, deaths: 0, restarts: 0, chargersAffected: 0, slicesGivenUp: 0, chargersGivenUp: 0, lostWorkerReports: 0, failures: [] } };
    expect(reportHtml(quiet)).not.toContain('Worker threads');
    expect(reportHtml(emptyReport())).not.toContain('Worker threads');
  });
});
