import type Database from 'better-sqlite3';
import type { AppendResult } from '../event-store.js';
import { createAppendStatements, RetriedAppend, type AppendRequest } from './append-statements.js';

interface Pending {
  request: AppendRequest;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Upper bound on events in one transaction, so one commit's latency stays bounded. */
  maxEventsPerCommit?: number;
  /** Called after each durable commit (in-process followers wake on it). */
  onCommit?: () => void;
}

/**
 * Group commit: appends that arrive in the same turn of the event loop (concurrent requests, any
 * streams) share one `BEGIN IMMEDIATE … COMMIT`, so one fsync acknowledges them all. Each append runs
 * inside its own savepoint, so it keeps its own expected-revision check and its own success or
 * conflict. Nothing is acknowledged before the commit returned.
 */
export const createGroupCommit = (db: Database.Database, options: GroupCommitOptions = {}) => {
  const maxEvents = options.maxEventsPerCommit ?? 2000;
  const applyAppend = createAppendStatements(db);
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const savepoint = db.prepare('SAVEPOINT append');
  const release = db.prepare('RELEASE append');
  const rollbackToSavepoint = db.prepare('ROLLBACK TO append');

  let queue: Pending[] = [];
  let scheduled = false;
  let idle: Array<() => void> = [];
  /** Counters for /metrics: how well appends are being grouped. */
  const stats = { commits: 0, appends: 0, events: 0 };

  const runOne = (request: AppendRequest): { ok: true; result: AppendResult } | { ok: false; error: unknown } => {
    savepoint.run();
    try {
      const result = applyAppend(request);
      release.run();
      return { ok: true, result };
    } catch (error) {
      rollbackToSavepoint.run();
      release.run();
      if (error instanceof RetriedAppend) return { ok: true, result: error.result };
      return { ok: false, error };
    }
  };

  const commitGroup = (group: Pending[]): void => {
    const outcomes: ReturnType<typeof runOne>[] = [];
    try {
      begin.run();
      for (const pending of group) outcomes.push(runOne(pending.request));
      commit.run();
      stats.commits += 1;
    } catch (error) {
      if (db.inTransaction) rollback.run();
      for (const pending of group) pending.reject(error);
      return;
    }
    group.forEach((pending, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) {
        stats.appends += 1;
        stats.events += pending.request.events.length;
        pending.resolve(outcome.result);
      }
      else pending.reject(outcome.error);
    });
  };

  const flush = (): void => {
    scheduled = false;
    const waiting = queue;
    queue = [];
    let group: Pending[] = [];
    let events = 0;
    for (const pending of waiting) {
      if (group.length > 0 && events + pending.request.events.length > maxEvents) {
        commitGroup(group);
        group = [];
        events = 0;
      }
      group.push(pending);
      events += pending.request.events.length;
    }
    if (group.length > 0) commitGroup(group);
    options.onCommit?.();
    if (queue.length === 0) {
      const waiters = idle;
      idle = [];
      for (const resolve of waiters) resolve();
    }
  };

  return {
    stats: (): Readonly<typeof stats> => ({ ...stats }),
    submit(request: AppendRequest): Promise<AppendResult> {
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ request, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          // setImmediate runs after the poll phase: every request parsed in this turn joins the group.
          setImmediate(flush);
        }
      });
    },
    /** Resolves once every submitted append has been committed or rejected. */
    drain(): Promise<void> {
      if (queue.length === 0 && !scheduled) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
};
