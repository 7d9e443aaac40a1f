/** The human form of a VerifyReport (stdout of `npm run verify`; `--json` prints the report itself). */
import type { CheckStatus, Failure, VerifyReport } from './report.js';

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', failed: 'FAIL', warning: 'WARN', skipped: 'skip' };

const where = (failure: Failure): string => {
  if (failure.seq !== undefined && failure.checkpoint !== undefined) return `checkpoint ${failure.checkpoint}, seq ${failure.seq}`;
  if (failure.seq !== undefined) return `seq ${failure.seq}`;
  if (failure.checkpoint !== undefined) return `checkpoint ${failure.checkpoint}`;
  return failure.kind;
};

export const formatReport = (report: VerifyReport): string => {
  const lines: string[] = ['impact-ledger transparency log verification', `  server       ${report.url}`];
  if (report.origin !== null) lines.push(`  origin       ${report.origin}`);
  if (report.publicKey !== null) {
    const source = { option: '--public-key', state: 'pinned in the state dir', server: 'from the server: TRUST ON FIRST USE' }[report.publicKey.source];
    lines.push(`  public key   ${report.publicKey.key} (${source})`);
  }
  if (report.checkpoint !== null) lines.push(`  checkpoint   size ${report.checkpoint.size}, root ${report.checkpoint.root}`);
  if (report.state !== null) lines.push(`  state dir    ${report.state.dir}${report.state.saved ? ' (checkpoint saved)' : ' (not updated)'}`);
  if (report.leaves.beyondCheckpoint) lines.push('  note         the server has entries beyond its latest checkpoint: not signed yet, so not checked');

  const width = Math.max(0, ...report.checks.map((c) => c.name.length));
  lines.push('', ...report.checks.map((c) => `  ${MARK[c.status]}  ${c.name.padEnd(width)}  ${c.summary}`));

  if (report.failures.length > 0) {
    const total = report.failures.length + report.omittedFailures;
    lines.push('', `failures (${total}):`, ...report.failures.map((f) => `  ${where(f)}: ${f.message}`));
    if (report.omittedFailures > 0) lines.push(`  … and ${report.omittedFailures} more`);
  }
  if (report.warnings.length > 0) lines.push('', 'warnings:', ...report.warnings.map((w) => `  ! ${w}`));
  lines.push('', report.headline);
  return `${lines.join('\n')}\n`;
};
