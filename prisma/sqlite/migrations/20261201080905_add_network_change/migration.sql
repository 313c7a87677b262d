-- CreateTable
CREATE TABLE "NetworkChange" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "version" BIGINT NOT NULL,
    "at" BIGINT NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "NetworkChange_version_key" ON "NetworkChange"("version");

-- Keeps the newest version for each key (a box id, or 'regions'). Writers are serialised on
-- SQLite, so the next version is MAX(version) + 1 (an index lookup). Upserts rather than
-- INSERT OR REPLACE: a foreign key's SET NULL (run under the parent's DELETE) would override it.
CREATE TRIGGER "alcance_box_inserted" AFTER INSERT ON "Box" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT NEW."id" AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_box_deleted" AFTER DELETE ON "Box" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT OLD."id" AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_box_updated" AFTER UPDATE ON "Box" WHEN OLD."id" IS NOT NEW."id" OR OLD."name" IS NOT NEW."name" OR OLD."projectId" IS NOT NEW."projectId" OR OLD."lat" IS NOT NEW."lat" OR OLD."lng" IS NOT NEW."lng" OR OLD."draft" IS NOT NEW."draft" OR OLD."implanted" IS NOT NEW."implanted" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT NEW."id" AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT OLD."id" AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_splitter_inserted" AFTER INSERT ON "Splitter" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT NEW."boxId" AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_splitter_deleted" AFTER DELETE ON "Splitter" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT OLD."boxId" AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_splitter_updated" AFTER UPDATE ON "Splitter" WHEN OLD."id" IS NOT NEW."id" OR OLD."boxId" IS NOT NEW."boxId" OR OLD."isDrop" IS NOT NEW."isDrop" OR OLD."ratioOut" IS NOT NEW."ratioOut" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT NEW."boxId" AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT OLD."boxId" AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_splitterport_inserted" AFTER INSERT ON "SplitterPort" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = NEW."splitterId") AS k) WHERE k IS NOT NULL AND NEW."blocked"
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_splitterport_deleted" AFTER DELETE ON "SplitterPort" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = OLD."splitterId") AS k) WHERE k IS NOT NULL AND OLD."blocked"
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_splitterport_updated" AFTER UPDATE ON "SplitterPort" WHEN OLD."splitterId" IS NOT NEW."splitterId" OR OLD."index" IS NOT NEW."index" OR OLD."blocked" IS NOT NEW."blocked" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = NEW."splitterId") AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = OLD."splitterId") AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_property_inserted" AFTER INSERT ON "Property" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT NEW."boxId" AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = NEW."splitterId") AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_property_deleted" AFTER DELETE ON "Property" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT OLD."boxId" AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = OLD."splitterId") AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_property_updated" AFTER UPDATE ON "Property" WHEN OLD."id" IS NOT NEW."id" OR OLD."boxId" IS NOT NEW."boxId" OR OLD."splitterId" IS NOT NEW."splitterId" OR OLD."port" IS NOT NEW."port" OR OLD."clientId" IS NOT NEW."clientId" OR OLD."lat" IS NOT NEW."lat" OR OLD."lng" IS NOT NEW."lng" OR OLD."address" IS NOT NEW."address" OR OLD."observation" IS NOT NEW."observation" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT NEW."boxId" AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = NEW."splitterId") AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT OLD."boxId" AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = OLD."splitterId") AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_region_insert" AFTER INSERT ON "Region" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'regions' AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_region_update" AFTER UPDATE ON "Region" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'regions' AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_region_delete" AFTER DELETE ON "Region" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'regions' AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_tag_insert" AFTER INSERT ON "Tag" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'regions' AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_tag_update" AFTER UPDATE ON "Tag" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'regions' AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_tag_delete" AFTER DELETE ON "Tag" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'regions' AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_regiontotag_insert" AFTER INSERT ON "_RegionToTag" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'regions' AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_regiontotag_update" AFTER UPDATE ON "_RegionToTag" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'regions' AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
CREATE TRIGGER "alcance_regiontotag_delete" AFTER DELETE ON "_RegionToTag" BEGIN
  INSERT INTO "NetworkChange" ("key", "version", "at")
    SELECT k, (SELECT COALESCE(MAX("version"), 0) + 1 FROM "NetworkChange"), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'regions' AS k) WHERE k IS NOT NULL
    ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at";
END;
