import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Runs a TypeScript file of this repo in a child Node process, with the same loader tap uses. */
export const spawnTs = (script: string, args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams =>
  spawn(process.execPath, ['--import', '@tapjs/typescript/import', script, ...args], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });

/** Calls `onLine` for each stdout line; resolves with the exit code and signal. */
export const collectLines = (
  child: ChildProcessWithoutNullStreams,
  onLine: (line: string) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> => {
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', onLine);
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
};
