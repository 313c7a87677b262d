-- A bulk write (an import, the demo seed) sets alcance.change_log = 'bulk' for its own
-- transaction (set_config(..., true)) and then logs each box and pole key it changed once itself
-- (src/ozmap-model/db/change-log.ts): the per-row upserts here were a third of its insert time.
-- Only box and pole keys are left to it: the named keys ('regions', 'poles', 'condos') are still
-- logged here. No lock is taken and every other transaction logs as before.
CREATE OR REPLACE FUNCTION "alcance_note_changes"(keys TEXT[]) RETURNS VOID LANGUAGE sql AS $$
  INSERT INTO "NetworkChange" ("key", "version", "at")
  SELECT k, nextval('"NetworkChange_version_seq"'), (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT
  FROM (
    SELECT DISTINCT k FROM unnest(keys) AS u(k)
    WHERE k IS NOT NULL
      AND (current_setting('alcance.change_log', true) IS DISTINCT FROM 'bulk' OR k IN ('regions', 'poles', 'condos'))
    ORDER BY k
  ) AS d
  ON CONFLICT ("key") DO UPDATE SET "version" = EXCLUDED."version", "at" = EXCLUDED."at"
$$;
