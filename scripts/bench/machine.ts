import Database from 'better-sqlite3';
import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What every committed benchmark result records about where it ran. */
export const machine = () => {
  const db = new Database(':memory:');
  const sqlite = db.prepare('SELECT sqlite_version() AS v').pluck().get() as string;
  db.close();
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    sqlite,
    platform: `${process.platform}-${process.arch}`,
  };
};

export const writeResult = (file: string, result: object) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
};

export const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000);
export const ratio = (ours: number, ceiling: number) => Math.round((ours / ceiling) * 1000) / 10;
