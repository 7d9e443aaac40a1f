/**
 * One error module (style.md §4): every error the service raises on purpose carries its HTTP status and
 * an RFC 9457 problem type, so the HTTP layer maps errors with one lookup instead of an instanceof chain.
 */
export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemInit {
  status: number;
  /** Short slug; the problem `type` URI is derived from it. */
  type: string;
  title: string;
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extra members for the problem body (e.g. `{ existing: "/readings/…" }`). */
  extensions?: Record<string, unknown>;
}

export class ProblemError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(init: ProblemInit) {
    super(init.detail ?? init.title);
    this.name = new.target.name;
    this.status = init.status;
    this.type = init.type;
    this.title = init.title;
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers;
    this.extensions = init.extensions;
  }
}

/** 400: input that does not match a schema; `errors` names each offending field. */
export class ValidationError extends ProblemError {
  constructor(detail: string, errors: FieldError[]) {
    super({ status: 400, type: 'validation', title: 'Invalid request', detail, errors });
  }
}

/** 409 from the store: the stream is not at the revision the append expected. */
export class ConcurrencyConflictError extends ProblemError {
  readonly stream: string;
  readonly expected: string;
  readonly actual: number | null;

  constructor(stream: string, expected: string, actual: number | null) {
    super({
      status: 409,
      type: 'concurrency-conflict',
      title: 'Concurrent modification',
      detail: `stream ${stream} is at revision ${actual ?? 'none'}, expected ${expected}`,
    });
    this.stream = stream;
    this.expected = expected;
    this.actual = actual;
  }
}

/** 409: an event id already stored with different content or in another stream. */
export class DuplicateEventError extends ProblemError {
  readonly eventId: string;
  /** Why the id clashes, without the id (`detail` is `<eventId>: <reason>`). */
  readonly reason: string;

  constructor(eventId: string, reason: string) {
    super({ status: 409, type: 'duplicate-event', title: 'Event id already used', detail: `${eventId}: ${reason}` });
    this.eventId = eventId;
    this.reason = reason;
  }
}

export class NotFoundError extends ProblemError {
  constructor(detail: string) {
    super({ status: 404, type: 'not-found', title: 'Not found', detail });
  }
}

export class UnauthorizedError extends ProblemError {
  constructor(detail = 'a valid bearer key is required') {
    super({ status: 401, type: 'unauthorized', title: 'Unauthorized', detail, headers: { 'www-authenticate': 'Bearer' } });
  }
}

export class ForbiddenError extends ProblemError {
  constructor(detail: string) {
    super({ status: 403, type: 'forbidden', title: 'Forbidden', detail });
  }
}

/** 503 with Retry-After: back-pressure, or a dependency that is down (style.md §4). */
export class UnavailableError extends ProblemError {
  constructor(detail: string, retryAfterSeconds = 1) {
    super({
      status: 503,
      type: 'unavailable',
      title: 'Service unavailable',
      detail,
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}
