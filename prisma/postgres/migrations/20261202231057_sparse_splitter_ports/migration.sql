-- A port has a row only when it has something of its own: an open port needs none.
-- (No change-log entry: the triggers log only blocked ports, and an open port stays open.)
DELETE FROM "SplitterPort" WHERE "blocked" = false AND "tagsJson" = '[]' AND "observation" IS NULL;

-- DropIndex: the rows left are nearly all blocked, so the index on `blocked` selects nothing.
DROP INDEX "SplitterPort_blocked_idx";
