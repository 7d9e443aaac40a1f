import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify';
import { pipeline, Readable } from 'node:stream';
import { z } from 'zod';
import { emptyRegister, registerReading, type RegisteredReading } from '../../../projections/readings-register.js';
import type { MeasurementState } from '../../../projections/shared-measurement.js';
import { idempotencyKeyReused, type CommandHandler } from '../../commands/command-handler.js';
import { derivedUuid, newResourceId } from '../../commands/derived-ids.js';
import type { Receipt } from '../../commands/receipt.js';
import type { NewReading, RecordReadings } from '../../domain/indicator/commands.js';
import { ReadingsRefusedError } from '../../domain/indicator/decide.js';
import { indicatorDecider, indicatorStream } from '../../domain/indicator/decider.js';
import { NotFoundError, ProblemError, ValidationError, type FieldError } from '../../errors.js';
import { dimensionSchema, reservedDimensionNames } from '../../events/measurement.js';
import type { SeqIndex } from '../../follower/local-state.js';
import type { Views } from '../../views/views.js';
import { requireInitiative } from '../auth/authenticate.js';
import { problemSchema } from '../problem.js';
import { receiptSchema } from '../schemas/receipt.js';
import type { OtherBody, WriteTools } from './command-route.js';
import { asOfQuery, resolveViewPoint } from './view-point.js';

/**
 * Readings as CSV (design §7): `GET /initiatives/:id/readings.csv` exports the readings as currently valid, and
 * `POST /indicators/:id/readings` with `Content-Type: text/csv` imports them, all or nothing. The columns are the
 * same out and in, so an export can be edited and imported again:
 *
 *   partnerId, periodStart, periodEnd, <one column per disaggregation dimension>, value, narrative, source,
 *   indicatorId, readingId, recordedAt, seq, reviewStatus
 *
 * The last five are the export's own (an import accepts and ignores them; `indicatorId`, where filled in, must be
 * the indicator of the URL). The dimension columns are the union of the exported indicators' dimensions, sorted by
 * name; an empty dimension cell means "not broken down by that dimension" (the total along it).
 *
 * Rows are numbered as a spreadsheet shows them: the header is row 1, the first reading row 2 (a quoted field
 * spanning lines stays one row; blank rows count and are skipped). Errors name `row <n> / <column>`.
 */

export const LEADING_COLUMNS = ['partnerId', 'periodStart', 'periodEnd'] as const;
export const READING_COLUMNS = ['value', 'narrative', 'source'] as const;
/** Written by the export; accepted and ignored by the import (`indicatorId` excepted: it must match the URL). */
export const EXPORT_COLUMNS = ['indicatorId', 'readingId', 'recordedAt', 'seq', 'reviewStatus'] as const;
type NamedColumn = (typeof LEADING_COLUMNS)[number] | (typeof READING_COLUMNS)[number] | (typeof EXPORT_COLUMNS)[number];

/** The header of an export whose indicators have these dimensions. */
export const readingsCsvColumns = (dimensions: Iterable<string>): string[] => [
  ...LEADING_COLUMNS,
  ...[...new Set(dimensions)].sort(),
  ...READING_COLUMNS,
  ...EXPORT_COLUMNS,
];

/** At most this many readings per import: one import is one atomic append (EventStoreDB bounds an append's size). */
export const MAX_IMPORT_ROWS = 5_000;
/** At most this many errors are listed in a problem (its `detail` counts them all). */
const MAX_LISTED_ERRORS = 100;

export const csvPath = (row: number, column?: string): string => (column === undefined ? `row ${row}` : `row ${row} / ${column}`);

/** A header name as an error path shows it: trimmed, and clipped (a header can be anything). */
const shown = (name: string): string => {
  const trimmed = name.trim();
  return trimmed.length > 60 ? `${trimmed.slice(0, 60)}…` : trimmed;
};

/** Header names match the columns whatever their case and underscores (`partner_id`, `PartnerID`), like reserved dimension names. */
const canonical = (name: string): string => name.trim().toLowerCase().replaceAll('_', '');
const NAMED = new Map<string, NamedColumn>(
  [...LEADING_COLUMNS, ...READING_COLUMNS, ...EXPORT_COLUMNS].map((column) => [canonical(column), column]),
);
if (NAMED.size !== reservedDimensionNames.length || reservedDimensionNames.some((name) => !NAMED.has(name))) {
  throw new Error('the CSV columns and the reserved dimension names (events/measurement.ts) have drifted apart');
}

// ---------------------------------------------------------------------------------------------------------
// Import: CSV text → readings, row by row

/** What one row becomes: the same body the JSON route validates. */
export type ReadingBody = Omit<NewReading, 'readingId'>;

export interface CsvReading {
  /** The row it came from (header = row 1). */
  row: number;
  reading: ReadingBody;
}

/** A decimal number as a spreadsheet writes it: sign, digits, decimal point, exponent; no thousands separators or units. */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

const tooMany = (errors: FieldError[], what: string): ValidationError =>
  new ValidationError(
    `${errors.length} ${errors.length === 1 ? 'problem' : 'problems'} in the CSV ${what}; nothing was recorded${errors.length > MAX_LISTED_ERRORS ? ` (the first ${MAX_LISTED_ERRORS} are listed)` : ''}`,
    errors.slice(0, MAX_LISTED_ERRORS),
  );

interface Header {
  /** Column index → what it holds. */
  columns: ({ kind: 'named'; column: NamedColumn; name: string } | { kind: 'dimension'; dimension: string; name: string })[];
  /** The index of each named column present. */
  index: Partial<Record<NamedColumn, number>>;
}

const readHeader = (fields: string[]): Header => {
  const errors: FieldError[] = [];
  const header: Header = { columns: [], index: {} };
  const seen = new Set<string>();
  fields.forEach((field, i) => {
    const name = field.trim();
    const named = NAMED.get(canonical(name));
    // Dimensions are lowercase slugs: `District` names the `district` column.
    const key = named ?? name.toLowerCase();
    const where = csvPath(1, name === '' ? `column ${i + 1}` : shown(name));
    if (name === '') errors.push({ path: where, message: 'a column needs a name' });
    else if (seen.has(key)) errors.push({ path: where, message: 'duplicate column' });
    else if (named) {
      header.index[named] = i;
      header.columns.push({ kind: 'named', column: named, name });
    } else if (dimensionSchema.safeParse(key).success) {
      header.columns.push({ kind: 'dimension', dimension: key, name });
    } else {
      errors.push({
        path: where,
        message: `unknown column: neither one of ${[...LEADING_COLUMNS, ...READING_COLUMNS, ...EXPORT_COLUMNS].join(', ')} nor a disaggregation dimension (a lowercase slug: a-z, 0-9, _)`,
      });
    }
    if (name !== '') seen.add(key);
  });
  for (const column of LEADING_COLUMNS) {
    if (header.index[column] === undefined) errors.push({ path: csvPath(1, column), message: 'missing column' });
  }
  if (header.index.value === undefined && header.index.narrative === undefined) {
    errors.push({ path: csvPath(1, 'value'), message: 'missing column: a value or a narrative column is required' });
  }
  if (errors.length > 0) throw tooMany(errors, 'header');
  return header;
};

/**
 * The CSV column a body-schema issue (`period.start`, `disaggregation.district`, …) or a decider field (`period`,
 * `disaggregation.district`, `value`, …) is about. Named columns go by their canonical name (`partnerId`, whatever
 * case the header used), dimensions by theirs.
 */
const columnOf = (path: readonly PropertyKey[]): string => {
  const [first, second] = path.map(String);
  if (first === 'period') return second === 'end' ? 'periodEnd' : 'periodStart';
  if (first === 'disaggregation') return second ?? 'disaggregation';
  return first ?? 'row';
};

/**
 * Parses and validates a readings CSV for indicator `indicatorId`: every row becomes the body the JSON route takes
 * and is checked with the same schema (`bodySchema`). Throws one 400 naming every bad row and column; returns the
 * readings otherwise (rules that need the indicator's state — its unit, dimensions, duplicates — are the decider's).
 */
export const parseReadingsCsv = (text: string, indicatorId: string, bodySchema: z.ZodType): CsvReading[] => {
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true }) as string[][];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const row = typeof error.records === 'number' ? error.records + 1 : 1;
    let column: string | undefined;
    if (typeof error.column === 'number') {
      // Name the column from the header when the header itself parses.
      let header: string[] | undefined;
      try {
        header = (parse(text, { bom: true, relax_column_count: true, to: 1 }) as string[][])[0];
      } catch {
        header = undefined;
      }
      const name = row > 1 ? header?.[error.column]?.trim() : undefined;
      column = name ? shown(name) : `column ${error.column + 1}`;
    }
    throw new ValidationError('the CSV could not be parsed; nothing was recorded', [{ path: csvPath(row, column), message: error.message }]);
  }
  if (records.length === 0) {
    throw new ValidationError('the CSV is empty; nothing was recorded', [{ path: 'body', message: 'a header row and at least one reading row are expected' }]);
  }
  const header = readHeader(records[0]!);
  const width = header.columns.length;
  const errors: FieldError[] = [];
  const readings: CsvReading[] = [];

  let count = 0;
  for (let r = 1; r < records.length; r++) {
    const row = r + 1;
    const fields = records[r]!;
    if (fields.every((field) => field.trim() === '')) continue; // a blank row
    if (++count > MAX_IMPORT_ROWS) {
      errors.push({ path: csvPath(row), message: `more than ${MAX_IMPORT_ROWS} readings in one import: split the file` });
      break;
    }
    const rowErrors: FieldError[] = [];
    if (fields.length < width) {
      const missing = header.columns.slice(fields.length).map((c) => shown(c.name));
      errors.push({ path: csvPath(row, missing[0]), message: `missing field: the row has ${fields.length} fields, the header ${width} (missing ${missing.join(', ')})` });
      continue;
    }
    fields.slice(width).forEach((field, i) => {
      if (field.trim() !== '') rowErrors.push({ path: csvPath(row, `column ${width + i + 1}`), message: 'a field beyond the last column of the header' });
    });

    /** A cell, trimmed; `undefined` when blank or the column is absent. */
    const cell = (column: NamedColumn): string | undefined => {
      const i = header.index[column];
      const value = i === undefined ? undefined : fields[i]!.trim();
      return value === '' ? undefined : value;
    };
    /** A text cell as written (not trimmed); `undefined` when blank. */
    const textCell = (column: NamedColumn): string | undefined => {
      const i = header.index[column];
      return i === undefined || fields[i]!.trim() === '' ? undefined : fields[i];
    };

    const body: Record<string, unknown> = {};
    const partnerId = cell('partnerId');
    if (partnerId !== undefined) body.partnerId = partnerId;
    body.period = { ...(cell('periodStart') !== undefined ? { start: cell('periodStart') } : {}), ...(cell('periodEnd') !== undefined ? { end: cell('periodEnd') } : {}) };
    const value = cell('value');
    let badValue = false;
    if (value !== undefined) {
      const number = NUMBER.test(value) ? Number(value) : Number.NaN;
      if (Number.isFinite(number)) body.value = number;
      else {
        badValue = true;
        rowErrors.push({
          path: csvPath(row, 'value'),
          message: NUMBER.test(value) ? 'the number is too large' : 'not a number: digits with an optional sign, decimal point and exponent (no thousands separators, units or %)',
        });
      }
    }
    const narrative = textCell('narrative');
    if (narrative !== undefined) body.narrative = unguardFormula(narrative);
    const source = textCell('source');
    if (source !== undefined) body.source = unguardFormula(source);
    const disaggregation: Record<string, string> = {};
    header.columns.forEach((column, i) => {
      const v = fields[i]!.trim();
      if (column.kind === 'dimension' && v !== '') disaggregation[column.dimension] = unguardFormula(v);
    });
    if (Object.keys(disaggregation).length > 0) body.disaggregation = disaggregation;
    const rowIndicator = cell('indicatorId');
    if (rowIndicator !== undefined && rowIndicator !== indicatorId) {
      rowErrors.push({ path: csvPath(row, 'indicatorId'), message: `must be empty or ${indicatorId}, the indicator this file is imported into` });
    }

    const result = bodySchema.safeParse(body);
    if (!result.success) {
      const badDate = result.error.issues.some((issue) => issue.path[0] === 'period' && issue.code !== 'custom');
      for (const issue of result.error.issues) {
        // "one of value or narrative is required" says nothing new when the value cell was there but not a number,
        // nor "must not be before start" when a date is not a date.
        if (badValue && issue.path[0] === 'value') continue;
        if (badDate && issue.path[0] === 'period' && issue.code === 'custom') continue;
        rowErrors.push({ path: csvPath(row, columnOf(issue.path)), message: issue.message });
      }
    }
    if (rowErrors.length > 0) errors.push(...rowErrors);
    else readings.push({ row, reading: result.data as ReadingBody });
  }
  if (errors.length > 0) throw tooMany(errors, 'rows');
  if (readings.length === 0) {
    throw new ValidationError('the CSV has no readings; nothing was recorded', [{ path: csvPath(2), message: 'at least one reading row is expected under the header' }]);
  }
  return readings;
};

/** The decider's refusals (reading index and field) as rows and columns of the file. */
const refusalsInRows = (error: ReadingsRefusedError, readings: CsvReading[]): ProblemError => {
  const errors = error.refusals.map((refusal): FieldError => {
    const row = readings[refusal.index]!.row;
    const column = refusal.field === '' ? undefined : columnOf(refusal.field.split('.'));
    const existing = refusal.error.extensions?.existingReadingId;
    const message =
      refusal.duplicateOf !== undefined
        ? `the same partner, period and disaggregation as row ${readings[refusal.duplicateOf]!.row}`
        : typeof existing === 'string'
          ? `${refusal.error.detail ?? refusal.error.title} (reading ${existing}: POST /readings/${existing}/corrections)`
          : (refusal.error.detail ?? refusal.error.title);
    return { path: csvPath(row, column), message };
  });
  return new ProblemError({
    status: error.status,
    type: error.type,
    title: error.title,
    detail: `${errors.length} of ${readings.length} rows refused, so none was recorded${errors.length > MAX_LISTED_ERRORS ? ` (the first ${MAX_LISTED_ERRORS} are listed)` : ''}`,
    errors: errors.slice(0, MAX_LISTED_ERRORS),
  });
};

export const importedReadingSchema = receiptSchema
  .extend({ row: z.number().int().min(2).describe('the CSV row the reading came from (the header is row 1)') })
  .meta({ id: 'ImportedReading' });

export const readingsImportedSchema = z
  .object({
    indicatorId: z.uuid(),
    count: z.number().int().min(1).describe('how many readings were recorded (one per reading row)'),
    receipts: z.array(importedReadingSchema).describe('one receipt per recorded reading, in the order of the rows; `id` is the new reading'),
  })
  .meta({ id: 'ReadingsImported', description: 'the answer to a CSV import: every reading was recorded, in one append' });

export interface ReadingsImportDeps {
  commands: CommandHandler;
  seqIndex: Pick<SeqIndex, 'get'>;
}

/**
 * The seq of event `i` of an append whose last event got `lastSeq`: the events of one append are numbered
 * together, which the seq index confirms (null if it does not, or the follower had not numbered them yet).
 */
const seqOf = (seqIndex: Pick<SeqIndex, 'get'>, lastSeq: number | null, fromEnd: number, eventId: string): number | null => {
  if (lastSeq === null) return null;
  const seq = lastSeq - fromEnd;
  return fromEnd === 0 || seqIndex.get(seq)?.eventId === eventId ? seq : null;
};

/**
 * Receipts of every reading of the import. A first run knows its events from the command pipeline; a replayed
 * `Idempotency-Key` answers with the receipt of the import's last event, and the others follow from it: event and
 * reading ids are derived from the key, and the events are consecutive in the stream and in the log.
 */
const receiptsOf = (receipt: Receipt, readings: Array<{ readingId: string; row: number }>, tools: WriteTools, stream: string, seqIndex: Pick<SeqIndex, 'get'>) => {
  const n = readings.length;
  const { actor, idempotencyKey } = tools.context;
  let events = receipt.events;
  if (!events) {
    const eventId = (i: number) => derivedUuid('event', actor.keyId, idempotencyKey ?? '', String(i));
    if (!idempotencyKey || receipt.stream !== stream || receipt.id !== readings[n - 1]!.readingId || receipt.eventId !== eventId(n - 1)) {
      throw idempotencyKeyReused('this Idempotency-Key was used for another request (not this import of these rows)');
    }
    events = readings.map((_, i) => ({ id: eventId(i), revision: receipt.revision - (n - 1 - i) }));
  }
  return readings.map(({ readingId, row }, i) => {
    const event = events[i]!;
    const seq = seqOf(seqIndex, receipt.seq, n - 1 - i, event.id);
    return { row, id: readingId, eventId: event.id, stream, revision: event.revision, seq, ...(seq === null ? {} : { inclusion: `/audit/proof/inclusion?seq=${seq}` }) };
  });
};

/**
 * The `text/csv` body of `POST /indicators/:id/readings`: parse and validate every row (400 naming rows and
 * columns), then one `RecordReadings` command, so the readings are one append to the indicator's stream — all
 * recorded or none (403 / 409 naming rows when the decider refuses any). 201 with a receipt per reading.
 */
export const readingsCsvBody = (deps: ReadingsImportDeps, bodySchema: z.ZodType): OtherBody<{ id: string }> => ({
  schema: z
    .string()
    .describe(
      'CSV (RFC 4180, UTF-8): a header row, then one reading per row. Columns: `partnerId, periodStart, periodEnd, <dimension>…, value, narrative, source`; ' +
        '`indicatorId, readingId, recordedAt, seq, reviewStatus` (an export\'s own columns) are accepted and ignored, but a filled-in `indicatorId` must be this indicator. ' +
        'An empty dimension cell = not broken down by it. All rows are recorded or none; errors name `row <n> / <column>` (header = row 1).',
    ),
  response: readingsImportedSchema,
  handle: async ({ params, body }, tools, reply: FastifyReply) => {
    const entry = tools.resource('indicator', params.id);
    const parsed = parseReadingsCsv(typeof body === 'string' ? body : '', entry.id, bodySchema);
    const { context } = tools;
    const readings = parsed.map(({ row, reading }, i) => ({ row, reading: { readingId: newResourceId(context, `csv reading ${i}`), ...reading } }));
    const stream = indicatorStream(entry.id);
    const command: RecordReadings = {
      type: 'RecordReadings',
      indicatorId: entry.id,
      readings: readings.map((r) => r.reading),
      context: { actor: context.actor, initiative: await tools.facts(entry.initiativeId) },
    };
    let receipt: Receipt;
    try {
      receipt = await deps.commands({ decider: indicatorDecider, stream, command, resourceId: readings.at(-1)!.reading.readingId, context });
    } catch (error) {
      if (error instanceof ReadingsRefusedError) throw refusalsInRows(error, parsed);
      throw error;
    }
    const receipts = receiptsOf(receipt, readings.map((r) => ({ readingId: r.reading.readingId, row: r.row })), tools, stream, deps.seqIndex);
    if (receipt.replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(201).send({ indicatorId: entry.id, count: receipts.length, receipts });
  },
});

// ---------------------------------------------------------------------------------------------------------
// Export: the readings as currently valid, streamed

/**
 * Text a spreadsheet would run as a formula (OWASP "CSV injection": a cell starting with `=`, `+`, `-`, `@`, a tab or
 * a carriage return) is exported behind a `'`, which spreadsheets show as text; the import takes one `'` off again.
 * Text that already starts with `'` before such a character gets one more, so every text goes round unchanged.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;
export const guardFormula = (text: string): string => (FORMULA_START.test(text) ? `'${text}` : text);
export const unguardFormula = (text: string): string => (/^'+[=+\-@\t\r]/.test(text) ? text.slice(1) : text);

const cellsOf = (reading: RegisteredReading, dimensions: readonly string[]): string[] => [
  reading.partnerId,
  reading.period.start,
  reading.period.end,
  ...dimensions.map((dimension) => guardFormula(reading.disaggregation[dimension] ?? '')),
  reading.value === undefined ? '' : String(reading.value),
  guardFormula(reading.narrative ?? ''),
  guardFormula(reading.source ?? ''),
  reading.indicatorId,
  reading.readingId,
  reading.recordedAt,
  String(reading.seq),
  reading.status,
];

export interface ReadingsExportDeps {
  views: Pick<Views, 'query' | 'head' | 'streamAsOf'>;
  seqIndex: Pick<SeqIndex, 'get' | 'atOrBefore'>;
}

const READERS = ['admin', 'backbone', 'partner', 'auditor', 'viewer'] as const;

export const READINGS_CSV_DESCRIPTION = [
  'One row per reading as currently valid: corrections applied, retracted readings left out (readings awaiting or',
  'returned from review are included, since they hold their partner, period and disaggregation, and `reviewStatus` tells them',
  'apart: only `accepted` and `approved` readings count in the views; `submitted` ones await review, `returned` ones a',
  'correction). Columns:',
  '`partnerId, periodStart, periodEnd, <dimension>…, value, narrative, source, indicatorId, readingId, recordedAt, seq, reviewStatus`.',
  'The dimension columns are the union of the exported indicators\' disaggregation dimensions, sorted by name; a cell is',
  'empty where a reading is not broken down by that dimension. `recordedAt` and `seq` are those of the event that set',
  'the reading\'s current value (its recording or latest correction). Rows come indicator by indicator (definition',
  'order), each indicator\'s readings in the order they were recorded. Filter with `indicatorId`; read the past with',
  '`asOf`. The same columns are imported by `POST /indicators/{id}/readings` with `Content-Type: text/csv`.',
].join(' ');

/** `GET /initiatives/:id/readings.csv`, scoped like the other views. */
export const registerReadingsExport = (app: FastifyInstance, deps: ReadingsExportDeps): void => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/initiatives/:id/readings.csv',
    {
      schema: {
        operationId: 'exportReadingsCsv',
        summary: 'The readings as currently valid, as CSV (one row per reading; dimension columns = union of the indicators\' dimensions, sorted)',
        description: READINGS_CSV_DESCRIPTION,
        tags: ['views'],
        security: [{ bearer: [] }],
        params: z.strictObject({ id: z.uuid() }),
        querystring: z.strictObject({
          asOf: asOfQuery,
          indicatorId: z.uuid().optional().describe('only this indicator\'s readings (and only its dimensions as columns)'),
        }),
        response: {
          // a stream, so no string type for the handler
          200: { description: 'text/csv; charset=utf-8, a header row then one row per reading', content: { 'text/csv': { schema: z.string() } } },
          400: problemSchema,
          401: problemSchema,
          403: problemSchema,
          404: problemSchema,
        },
      },
      onRequest: app.authorize(READERS),
    },
    async (request, reply) => {
      const initiativeId = request.params.id;
      const { asOf, indicatorId } = request.query;
      requireInitiative(request.actor!, initiativeId);
      const point = resolveViewPoint(asOf, deps.views.head(), deps.seqIndex);
      // The initiative's indicators and their dimensions as of the point; the readings come from their streams.
      const indicators = await deps.views.query<MeasurementState, { id: string; dimensions: string[] }[] | undefined>('shared-measurement', point.seq, (state) => {
        const view = state.views[initiativeId];
        return view?.indicatorOrder
          .filter((id) => indicatorId === undefined || id === indicatorId)
          .map((id) => ({ id, dimensions: view.indicators[id]!.disaggregations.map((d) => d.dimension) }));
      });
      if (indicators === undefined) throw new NotFoundError(`initiative ${initiativeId} is not known at seq ${point.seq}`);
      if (indicatorId !== undefined && indicators.length === 0) {
        throw new NotFoundError(`indicator ${indicatorId} is not an indicator of initiative ${initiativeId} at seq ${point.seq}`);
      }
      const dimensions = [...new Set(indicators.flatMap((i) => i.dimensions))].sort();

      // One indicator's readings in memory at a time.
      async function* rows(): AsyncGenerator<string[]> {
        for (const indicator of indicators!) {
          const register = emptyRegister();
          for await (const event of deps.views.streamAsOf(indicatorStream(indicator.id), point.seq)) registerReading(register, event);
          for (const reading of register.values()) yield cellsOf(reading, dimensions);
        }
      }
      const csv = stringify({ header: true, columns: readingsCsvColumns(dimensions), record_delimiter: 'windows', quoted_match: /[\r\n]/ });
      pipeline(Readable.from(rows()), csv, (error) => {
        if (error) request.log.error({ err: error }, 'readings CSV export failed mid-stream');
      });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="readings-${initiativeId}${indicatorId ? `-${indicatorId}` : ''}.csv"`)
        .send(csv as unknown as string); // a stream: Fastify pipes it (the schema documents what it carries)
    },
  );
};
