/**
 * npm run verify -- --url <service> --key <auditor key> [--public-key <vkey>] [--state <dir>] [--full] [--json]
 *
 * The auditor's CLI (design §6, issue 5 item 4): verifies the service's transparency log trusting nothing it
 * serves, prints a report, exits 0 when everything holds, 1 when something does not (the report names the
 * first bad seq or checkpoint), 2 on a usage, connection or state-dir problem.
 */
import { parseArgs } from 'node:util';
import { EXIT, VerifierError } from '../src/verifier/errors.js';
import { formatReport } from '../src/verifier/format-report.js';
import { createProgressBar } from '../src/verifier/progress.js';
import { verifyLog } from '../src/verifier/verify-log.js';

const USAGE = `usage: npm run verify -- --url <service URL> --key <auditor key> [options]

  --url <url>          the service, e.g. https://ledger.example.org
  --key <key>          an auditor (or admin) bearer key; or set AUDIT_KEY instead
  --public-key <vkey>  the log's verifier key (name+keyid+base64), as published by its operator;
                       without it the key pinned in --state is used, else the server's own (trust on first use)
  --state <dir>        keep the pinned key, verified checkpoints and leaf hashes here between runs: later runs
                       download only new entries and check that the log still extends what they saw
  --full               re-download and re-hash every entry, comparing with the leaves kept in --state
  --page-size <n>      entries per request (1–5000, default 1000)
  --json               print the report as JSON
  -h, --help           this text

exit status: 0 verified, 1 verification failed, 2 usage, connection or state-dir error
`;

const options = {
  url: { type: 'string' },
  key: { type: 'string' },
  'public-key': { type: 'string' },
  state: { type: 'string' },
  full: { type: 'boolean', default: false },
  'page-size': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  let values;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return { code: EXIT.error, stdout: '', stderr: `verify: ${(error as Error).message}\n\n${USAGE}` };
  }
  if (values.help) return { code: EXIT.ok, stdout: USAGE, stderr: '' };
  const key = values.key ?? process.env.AUDIT_KEY;
  const pageSize = values['page-size'] === undefined ? undefined : Number(values['page-size']);
  const problem =
    values.url === undefined ? '--url is required'
    : !key ? '--key (or AUDIT_KEY) is required'
    : pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 5000) ? '--page-size must be an integer from 1 to 5000'
    : undefined;
  if (problem !== undefined || values.url === undefined || !key) return { code: EXIT.error, stdout: '', stderr: `verify: ${problem}\n\n${USAGE}` };

  const bar = createProgressBar(process.stderr);
  try {
    const report = await verifyLog({
      url: values.url,
      key,
      publicKey: values['public-key'],
      stateDir: values.state,
      full: values.full,
      pageSize,
      onProgress: (progress) => bar.update(progress),
    });
    bar.clear();
    return { code: report.ok ? EXIT.ok : EXIT.failed, stdout: values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report), stderr: '' };
  } catch (error) {
    bar.clear();
    if (!(error instanceof VerifierError)) throw error;
    const stdout = values.json ? `${JSON.stringify({ ok: false, error: { kind: error.kind, message: error.message } }, null, 2)}\n` : '';
    return { code: EXIT.error, stdout, stderr: `verify: ${error.message}\n` };
  }
};

const { code, stdout, stderr } = await run(process.argv.slice(2)).catch((error: unknown) => ({
  code: EXIT.error,
  stdout: '',
  stderr: `verify: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
}));
process.stderr.write(stderr);
process.stdout.write(stdout, () => process.exit(code));
