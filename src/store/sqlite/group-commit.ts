import type Database from 'better-sqlite3';
import type { AppendResult } from '../event-store.js';
import { createAppendStatements, RetriedAppend, type AppendRequest } from './append-statements.js';

/** `retried`: the result is that of an earlier append of the same events (nothing new was stored). */
export type AppendOutcome = { ok: true; result: AppendResult; retried: boolean } | { ok: false; error: unknown };

/** Durable commits made, and the appends and events they acknowledged. */
export interface GroupCommitStats {
  commits: number;
  appends: number;
  events: number;
}

export interface GroupCommitOptions {
  /** Upper bound on events in one transaction, so one commit's latency stays bounded. */
  maxEventsPerCommit?: number;
}

/**
 * Group commit: the appends handed over together (concurrent requests, any streams) share one
 * `BEGIN IMMEDIATE … COMMIT`, so one fsync acknowledges them all. Each append runs inside its own savepoint,
 * so it keeps its own expected-revision check and its own success or conflict. An outcome is returned only
 * after the commit that holds it returned. It runs on the writer thread (writer-thread.ts), which owns the
 * write connection: the fsync blocks that thread, never the event loop of the service.
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
  const stats: GroupCommitStats = { commits: 0, appends: 0, events: 0 };

  const runOne = (request: AppendRequest): AppendOutcome => {
    savepoint.run();
    try {
      const { result, retried } = applyAppend(request);
      release.run();
      return { ok: true, result, retried };
    } catch (error) {
      rollbackToSavepoint.run();
      release.run();
      if (error instanceof RetriedAppend) return { ok: true, result: error.result, retried: true };
      return { ok: false, error };
    }
  };

  /** One transaction: every request's own outcome, or the commit's error for all of them. */
  const commitGroup = (group: readonly AppendRequest[]): AppendOutcome[] => {
    const outcomes: AppendOutcome[] = [];
    try {
      begin.run();
      for (const request of group) outcomes.push(runOne(request));
      commit.run();
      stats.commits += 1;
    } catch (error) {
      if (db.inTransaction) rollback.run();
      return group.map(() => ({ ok: false, error }));
    }
    group.forEach((request, i) => {
      if (outcomes[i]!.ok) {
        stats.appends += 1;
        stats.events += request.events.length;
      }
    });
    return outcomes;
  };

  return {
    stats: (): GroupCommitStats => ({ ...stats }),
    /** Commits the requests in as few transactions as the event bound allows; one outcome per request, in order. */
    commitAll(requests: readonly AppendRequest[]): AppendOutcome[] {
      const outcomes: AppendOutcome[] = [];
      let group: AppendRequest[] = [];
      let events = 0;
      for (const request of requests) {
        if (group.length > 0 && events + request.events.length > maxEvents) {
          outcomes.push(...commitGroup(group));
          group = [];
          events = 0;
        }
        group.push(request);
        events += request.events.length;
      }
      if (group.length > 0) outcomes.push(...commitGroup(group));
      return outcomes;
    },
  };
};
