-- CreateTable
CREATE TABLE "NetworkChange" (
    "key" TEXT NOT NULL,
    "version" BIGINT NOT NULL,
    "at" BIGINT NOT NULL,

    CONSTRAINT "NetworkChange_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "NetworkChange_version_key" ON "NetworkChange"("version");

-- The change log's version: a sequence, so concurrent writers never wait on a counter row.
-- Function bodies are E'' strings with \073 for semicolons: Prisma's driver-adapter script
-- runner (used by the offline drift check) splits scripts at every semicolon.
CREATE SEQUENCE "NetworkChange_version_seq" AS BIGINT;

-- Records the newest version for each key (a box id, or 'regions'), keys in order, so two
-- transactions touching the same boxes lock their rows in the same order.
CREATE FUNCTION "alcance_note_changes"(keys TEXT[]) RETURNS VOID LANGUAGE sql AS $$
  INSERT INTO "NetworkChange" ("key", "version", "at")
  SELECT k, nextval('"NetworkChange_version_seq"'), (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT
  FROM (SELECT DISTINCT k FROM unnest(keys) AS u(k) WHERE k IS NOT NULL ORDER BY k) AS d
  ON CONFLICT ("key") DO UPDATE SET "version" = EXCLUDED."version", "at" = EXCLUDED."at"
$$;


-- Box
CREATE FUNCTION "alcance_box_inserted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT n."id" FROM n))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_box_updated"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT n."id" FROM n LEFT JOIN o ON o."id" = n."id" WHERE o."id" IS NULL OR o."id" IS DISTINCT FROM n."id" OR o."name" IS DISTINCT FROM n."name" OR o."projectId" IS DISTINCT FROM n."projectId" OR o."lat" IS DISTINCT FROM n."lat" OR o."lng" IS DISTINCT FROM n."lng" OR o."draft" IS DISTINCT FROM n."draft" OR o."implanted" IS DISTINCT FROM n."implanted" UNION ALL SELECT o."id" FROM o LEFT JOIN n ON o."id" = n."id" WHERE n."id" IS NULL OR o."id" IS DISTINCT FROM n."id" OR o."name" IS DISTINCT FROM n."name" OR o."projectId" IS DISTINCT FROM n."projectId" OR o."lat" IS DISTINCT FROM n."lat" OR o."lng" IS DISTINCT FROM n."lng" OR o."draft" IS DISTINCT FROM n."draft" OR o."implanted" IS DISTINCT FROM n."implanted"))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_box_deleted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT o."id" FROM o))\073 RETURN NULL\073 END';
CREATE TRIGGER "alcance_box_inserted" AFTER INSERT ON "Box" REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_box_inserted"();
CREATE TRIGGER "alcance_box_updated" AFTER UPDATE ON "Box" REFERENCING OLD TABLE AS o NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_box_updated"();
CREATE TRIGGER "alcance_box_deleted" AFTER DELETE ON "Box" REFERENCING OLD TABLE AS o
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_box_deleted"();

-- Splitter
CREATE FUNCTION "alcance_splitter_inserted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT n."boxId" FROM n))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_splitter_updated"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT n."boxId" FROM n LEFT JOIN o ON o."id" = n."id" WHERE o."id" IS NULL OR o."id" IS DISTINCT FROM n."id" OR o."boxId" IS DISTINCT FROM n."boxId" OR o."isDrop" IS DISTINCT FROM n."isDrop" OR o."ratioOut" IS DISTINCT FROM n."ratioOut" UNION ALL SELECT o."boxId" FROM o LEFT JOIN n ON o."id" = n."id" WHERE n."id" IS NULL OR o."id" IS DISTINCT FROM n."id" OR o."boxId" IS DISTINCT FROM n."boxId" OR o."isDrop" IS DISTINCT FROM n."isDrop" OR o."ratioOut" IS DISTINCT FROM n."ratioOut"))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_splitter_deleted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT o."boxId" FROM o))\073 RETURN NULL\073 END';
CREATE TRIGGER "alcance_splitter_inserted" AFTER INSERT ON "Splitter" REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_splitter_inserted"();
CREATE TRIGGER "alcance_splitter_updated" AFTER UPDATE ON "Splitter" REFERENCING OLD TABLE AS o NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_splitter_updated"();
CREATE TRIGGER "alcance_splitter_deleted" AFTER DELETE ON "Splitter" REFERENCING OLD TABLE AS o
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_splitter_deleted"();

-- SplitterPort
CREATE FUNCTION "alcance_splitterport_inserted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = n."splitterId") FROM n WHERE n."blocked"))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_splitterport_updated"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = n."splitterId") FROM n LEFT JOIN o ON o."splitterId" = n."splitterId" AND o."index" = n."index" WHERE o."splitterId" IS NULL OR o."splitterId" IS DISTINCT FROM n."splitterId" OR o."index" IS DISTINCT FROM n."index" OR o."blocked" IS DISTINCT FROM n."blocked" UNION ALL SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = o."splitterId") FROM o LEFT JOIN n ON o."splitterId" = n."splitterId" AND o."index" = n."index" WHERE n."splitterId" IS NULL OR o."splitterId" IS DISTINCT FROM n."splitterId" OR o."index" IS DISTINCT FROM n."index" OR o."blocked" IS DISTINCT FROM n."blocked"))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_splitterport_deleted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = o."splitterId") FROM o WHERE o."blocked"))\073 RETURN NULL\073 END';
CREATE TRIGGER "alcance_splitterport_inserted" AFTER INSERT ON "SplitterPort" REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_splitterport_inserted"();
CREATE TRIGGER "alcance_splitterport_updated" AFTER UPDATE ON "SplitterPort" REFERENCING OLD TABLE AS o NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_splitterport_updated"();
CREATE TRIGGER "alcance_splitterport_deleted" AFTER DELETE ON "SplitterPort" REFERENCING OLD TABLE AS o
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_splitterport_deleted"();

-- Property
CREATE FUNCTION "alcance_property_inserted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT n."boxId" FROM n UNION ALL SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = n."splitterId") FROM n))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_property_updated"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT n."boxId" FROM n LEFT JOIN o ON o."id" = n."id" WHERE o."id" IS NULL OR o."id" IS DISTINCT FROM n."id" OR o."boxId" IS DISTINCT FROM n."boxId" OR o."splitterId" IS DISTINCT FROM n."splitterId" OR o."port" IS DISTINCT FROM n."port" OR o."clientId" IS DISTINCT FROM n."clientId" OR o."lat" IS DISTINCT FROM n."lat" OR o."lng" IS DISTINCT FROM n."lng" OR o."address" IS DISTINCT FROM n."address" OR o."observation" IS DISTINCT FROM n."observation" UNION ALL SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = n."splitterId") FROM n LEFT JOIN o ON o."id" = n."id" WHERE o."id" IS NULL OR o."id" IS DISTINCT FROM n."id" OR o."boxId" IS DISTINCT FROM n."boxId" OR o."splitterId" IS DISTINCT FROM n."splitterId" OR o."port" IS DISTINCT FROM n."port" OR o."clientId" IS DISTINCT FROM n."clientId" OR o."lat" IS DISTINCT FROM n."lat" OR o."lng" IS DISTINCT FROM n."lng" OR o."address" IS DISTINCT FROM n."address" OR o."observation" IS DISTINCT FROM n."observation" UNION ALL SELECT o."boxId" FROM o LEFT JOIN n ON o."id" = n."id" WHERE n."id" IS NULL OR o."id" IS DISTINCT FROM n."id" OR o."boxId" IS DISTINCT FROM n."boxId" OR o."splitterId" IS DISTINCT FROM n."splitterId" OR o."port" IS DISTINCT FROM n."port" OR o."clientId" IS DISTINCT FROM n."clientId" OR o."lat" IS DISTINCT FROM n."lat" OR o."lng" IS DISTINCT FROM n."lng" OR o."address" IS DISTINCT FROM n."address" OR o."observation" IS DISTINCT FROM n."observation" UNION ALL SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = o."splitterId") FROM o LEFT JOIN n ON o."id" = n."id" WHERE n."id" IS NULL OR o."id" IS DISTINCT FROM n."id" OR o."boxId" IS DISTINCT FROM n."boxId" OR o."splitterId" IS DISTINCT FROM n."splitterId" OR o."port" IS DISTINCT FROM n."port" OR o."clientId" IS DISTINCT FROM n."clientId" OR o."lat" IS DISTINCT FROM n."lat" OR o."lng" IS DISTINCT FROM n."lng" OR o."address" IS DISTINCT FROM n."address" OR o."observation" IS DISTINCT FROM n."observation"))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_property_deleted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT o."boxId" FROM o UNION ALL SELECT (SELECT s."boxId" FROM "Splitter" s WHERE s."id" = o."splitterId") FROM o))\073 RETURN NULL\073 END';
CREATE TRIGGER "alcance_property_inserted" AFTER INSERT ON "Property" REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_property_inserted"();
CREATE TRIGGER "alcance_property_updated" AFTER UPDATE ON "Property" REFERENCING OLD TABLE AS o NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_property_updated"();
CREATE TRIGGER "alcance_property_deleted" AFTER DELETE ON "Property" REFERENCING OLD TABLE AS o
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_property_deleted"();

-- Regions, tags and which region carries which tag: one "regions" change per statement.
CREATE FUNCTION "alcance_regions_changed"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY[''regions''])\073 RETURN NULL\073 END';
CREATE TRIGGER "alcance_region_changed" AFTER INSERT OR UPDATE OR DELETE ON "Region"
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_regions_changed"();
CREATE TRIGGER "alcance_tag_changed" AFTER INSERT OR UPDATE OR DELETE ON "Tag"
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_regions_changed"();
CREATE TRIGGER "alcance_regiontotag_changed" AFTER INSERT OR UPDATE OR DELETE ON "_RegionToTag"
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_regions_changed"();
