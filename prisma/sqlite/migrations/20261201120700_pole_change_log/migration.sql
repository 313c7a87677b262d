-- Pole-mode viability in the change log (issue 17): instances learn of pole, span and
-- condominium changes made by another instance (or by SQL by hand), as they do of boxes.
-- Keys: 'pole:<id>' (the pole moved, appeared or went, or its spans or boxes changed),
-- 'poles' (a project's maximum drop size changed: every route), 'condos' (gated communities).
CREATE TRIGGER "alcance_pole_inserted" AFTER INSERT ON "Pole" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || NEW."id" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_pole_deleted" AFTER DELETE ON "Pole" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || OLD."id" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_pole_updated" AFTER UPDATE ON "Pole" WHEN OLD."id" IS NOT NEW."id" OR OLD."lat" IS NOT NEW."lat" OR OLD."lng" IS NOT NEW."lng" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || NEW."id" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || OLD."id" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_span_inserted" AFTER INSERT ON "Span" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || NEW."poleAId" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || NEW."poleBId" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_span_deleted" AFTER DELETE ON "Span" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || OLD."poleAId" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || OLD."poleBId" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_span_updated" AFTER UPDATE ON "Span" WHEN OLD."poleAId" IS NOT NEW."poleAId" OR OLD."poleBId" IS NOT NEW."poleBId" OR OLD."length" IS NOT NEW."length" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || NEW."poleAId" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || NEW."poleBId" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || OLD."poleAId" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || OLD."poleBId" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_box_pole_inserted" AFTER INSERT ON "Box" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || NEW."poleId" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_box_pole_deleted" AFTER DELETE ON "Box" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || OLD."poleId" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_box_pole_updated" AFTER UPDATE ON "Box" WHEN OLD."poleId" IS NOT NEW."poleId" OR OLD."projectId" IS NOT NEW."projectId" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || NEW."poleId" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'pole:' || OLD."poleId" AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_project_drop_updated" AFTER UPDATE ON "Project" WHEN OLD."dropMaxSize" IS NOT NEW."dropMaxSize" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'poles' AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_condo_inserted" AFTER INSERT ON "HorizontalCondominium" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'condos' AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_condo_updated" AFTER UPDATE ON "HorizontalCondominium" WHEN OLD."polygonJson" IS NOT NEW."polygonJson" OR OLD."name" IS NOT NEW."name" OR OLD."address" IS NOT NEW."address" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'condos' AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_condo_deleted" AFTER DELETE ON "HorizontalCondominium" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'condos' AS k) WHERE k IS NOT NULL AND (1)
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
