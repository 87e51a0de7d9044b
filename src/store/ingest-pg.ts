/**
 * PostgreSQL ingest: events, their runs and (for a poll) the poller's cursor as ONE statement
 * (data-modifying CTEs run atomically). A webhook is one round trip instead of four (BEGIN, two INSERTs,
 * COMMIT); a poll of 50 changed orders held a pooled connection for 100+ round trips, now for one. Events
 * whose dedupe key is known already insert nothing and are looked up afterwards, so they answer their
 * first result (events never change once stored).
 */
import { sql, type Kysely } from 'kysely';
import type { IngestResult, NewEvent, RunTargets } from './port.ts';
import { EMPTY_CONTEXT } from './run-writes.ts';
import type { Tables } from './schema.ts';

export async function ingestPg(db: Kysely<Tables>, events: NewEvent[], targets: RunTargets, cursor?: { name: string; value: string | null }): Promise<IngestResult[]> {
  const now = Date.now();
  // One row per dedupe key (a repeat within the poll answers like a repeat across polls).
  const firstByKey = new Map<string, number>();
  events.forEach((e, i) => {
    if (!firstByKey.has(e.dedupeKey)) firstByKey.set(e.dedupeKey, i);
  });
  const unique = [...firstByKey.values()];
  // Targets first: when they throw, nothing is written (neither the events nor the cursor).
  const targetRows = unique.flatMap((i) => targets(events[i]!).map((t) => sql`(${i}::int, ${t.flowId}::text, ${t.flowVersion}::text, ${t.firstStep}::text)`));
  const cursorRow = cursor ? sql`INSERT INTO cursors (name, value, updated_at) VALUES (${cursor.name}, ${cursor.value}, ${now})
    ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at` : undefined;
  if (unique.length === 0) {
    await cursorRow?.execute(db);
    return [];
  }
  const eventRows = unique.map((i) => {
    const e = events[i]!;
    return sql`(${i}::int, ${e.dedupeKey}::text, ${e.type}::text, ${e.source}::text, ${e.entityKey}::text, ${e.version ?? null}::text, ${JSON.stringify(e.payload ?? null)}::text, ${e.occurredAt ?? null}::bigint)`;
  });
  const res = await sql<{ ord: number; id: number; run_ids: number[] | null }>`
    WITH v (ord, dedupe_key, type, source, entity_key, version, payload, occurred_at) AS (VALUES ${sql.join(eventRows)}),
    t (ord, flow_id, flow_version, first_step) AS (VALUES ${targetRows.length > 0 ? sql.join(targetRows) : sql`(NULL::int, NULL::text, NULL::text, NULL::text)`}),
    ev AS (
      INSERT INTO events (dedupe_key, type, source, entity_key, version, payload, occurred_at, received_at)
      SELECT dedupe_key, type, source, entity_key, version, payload, occurred_at, ${now} FROM v ORDER BY ord
      ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key, entity_key, version
    ),
    r AS (
      INSERT INTO runs (flow_id, flow_version, event_id, entity_key, lane_seq, event_version, status, current_step, step_attempt, context, run_at, created_at, updated_at)
      SELECT t.flow_id, t.flow_version, ev.id, ev.entity_key, ev.id, ev.version, 'queued', t.first_step, 0, ${EMPTY_CONTEXT}, ${now}, ${now}, ${now}
      FROM ev JOIN v ON v.dedupe_key = ev.dedupe_key JOIN t ON t.ord = v.ord
      ORDER BY ev.id
      RETURNING id, event_id
    )
    ${cursorRow ? sql`, cur AS (${cursorRow})` : sql``}
    SELECT v.ord, ev.id, (SELECT array_agg(r.id ORDER BY r.id) FROM r WHERE r.event_id = ev.id) AS run_ids
    FROM ev JOIN v ON v.dedupe_key = ev.dedupe_key`.execute(db);
  const byOrd = new Map<number, IngestResult>(res.rows.map((row) => [Number(row.ord), { eventId: Number(row.id), created: true, runIds: (row.run_ids ?? []).map(Number) }]));
  const known = unique.filter((i) => !byOrd.has(i));
  if (known.length > 0) {
    const keys = known.map((i) => events[i]!.dedupeKey);
    const found = await sql<{ id: number; dedupe_key: string; run_ids: number[] | null }>`
      SELECT e.id, e.dedupe_key, (SELECT array_agg(r.id ORDER BY r.id) FROM runs r WHERE r.event_id = e.id) AS run_ids
      FROM events e WHERE e.dedupe_key = ANY(${keys}::text[])`.execute(db);
    const byKey = new Map(found.rows.map((row) => [row.dedupe_key, row]));
    for (const i of known) {
      const row = byKey.get(events[i]!.dedupeKey);
      // Only a purge between the two statements could remove it; the poll is then simply taken again.
      if (!row) throw new Error(`event '${events[i]!.dedupeKey}' conflicted on insert but is gone now; poll again`);
      byOrd.set(i, { eventId: Number(row.id), created: false, runIds: (row.run_ids ?? []).map(Number) });
    }
  }
  return events.map((e, i) => {
    const first = byOrd.get(firstByKey.get(e.dedupeKey)!)!;
    return i === firstByKey.get(e.dedupeKey) ? first : { ...first, created: false };
  });
}
