-- Nothing to do on SQLite: a bulk write there suspends the change log's triggers inside its own
-- transaction (src/ozmap-model/db/change-log.ts). The PostgreSQL migration of this name lets a
-- bulk write skip the per-row log without touching the triggers.
SELECT 1;
