-- Pole-mode viability in the change log (issue 17): instances learn of pole, span and
-- condominium changes made by another instance (or by SQL by hand), as they do of boxes.
-- Keys: 'pole:<id>' (the pole moved, appeared or went, or its spans or boxes changed),
-- 'poles' (a project's maximum drop size changed: every route), 'condos' (gated communities).
-- Function bodies are E'' strings with \073 for semicolons (see 20261201080905_add_network_change).
CREATE FUNCTION "alcance_pole_inserted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT ''pole:'' || n."id" FROM n))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_pole_deleted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT ''pole:'' || o."id" FROM o))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_pole_updated"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT ''pole:'' || n."id" FROM n LEFT JOIN o ON o."id" = n."id" WHERE o."id" IS NULL OR o."lat" IS DISTINCT FROM n."lat" OR o."lng" IS DISTINCT FROM n."lng" UNION ALL SELECT ''pole:'' || o."id" FROM o LEFT JOIN n ON o."id" = n."id" WHERE n."id" IS NULL OR o."lat" IS DISTINCT FROM n."lat" OR o."lng" IS DISTINCT FROM n."lng"))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_span_inserted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT ''pole:'' || n."poleAId" FROM n UNION ALL SELECT ''pole:'' || n."poleBId" FROM n))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_span_deleted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT ''pole:'' || o."poleAId" FROM o UNION ALL SELECT ''pole:'' || o."poleBId" FROM o))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_span_updated"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT ''pole:'' || n."poleAId" FROM n LEFT JOIN o ON o."id" = n."id" WHERE o."id" IS NULL OR o."poleAId" IS DISTINCT FROM n."poleAId" OR o."poleBId" IS DISTINCT FROM n."poleBId" OR o."length" IS DISTINCT FROM n."length" UNION ALL SELECT ''pole:'' || o."poleAId" FROM o LEFT JOIN n ON o."id" = n."id" WHERE n."id" IS NULL OR o."poleAId" IS DISTINCT FROM n."poleAId" OR o."poleBId" IS DISTINCT FROM n."poleBId" OR o."length" IS DISTINCT FROM n."length" UNION ALL SELECT ''pole:'' || n."poleBId" FROM n LEFT JOIN o ON o."id" = n."id" WHERE o."id" IS NULL OR o."poleAId" IS DISTINCT FROM n."poleAId" OR o."poleBId" IS DISTINCT FROM n."poleBId" OR o."length" IS DISTINCT FROM n."length" UNION ALL SELECT ''pole:'' || o."poleBId" FROM o LEFT JOIN n ON o."id" = n."id" WHERE n."id" IS NULL OR o."poleAId" IS DISTINCT FROM n."poleAId" OR o."poleBId" IS DISTINCT FROM n."poleBId" OR o."length" IS DISTINCT FROM n."length"))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_box_pole_inserted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT ''pole:'' || n."poleId" FROM n))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_box_pole_deleted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT ''pole:'' || o."poleId" FROM o))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_box_pole_updated"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT ''pole:'' || n."poleId" FROM n LEFT JOIN o ON o."id" = n."id" WHERE o."id" IS NULL OR o."poleId" IS DISTINCT FROM n."poleId" OR o."projectId" IS DISTINCT FROM n."projectId" UNION ALL SELECT ''pole:'' || o."poleId" FROM o LEFT JOIN n ON o."id" = n."id" WHERE n."id" IS NULL OR o."poleId" IS DISTINCT FROM n."poleId" OR o."projectId" IS DISTINCT FROM n."projectId"))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_project_drop_updated"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT ''poles'' FROM n JOIN o ON o."id" = n."id" WHERE o."dropMaxSize" IS DISTINCT FROM n."dropMaxSize" LIMIT 1))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_condo_inserted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT ''condos'' FROM n LIMIT 1))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_condo_deleted"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT ''condos'' FROM o LIMIT 1))\073 RETURN NULL\073 END';
CREATE FUNCTION "alcance_condo_updated"() RETURNS TRIGGER LANGUAGE plpgsql AS
  E'BEGIN PERFORM "alcance_note_changes"(ARRAY(SELECT ''condos'' FROM n LIMIT 1))\073 RETURN NULL\073 END';
CREATE TRIGGER "alcance_pole_inserted" AFTER INSERT ON "Pole" REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_pole_inserted"();
CREATE TRIGGER "alcance_pole_deleted" AFTER DELETE ON "Pole" REFERENCING OLD TABLE AS o
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_pole_deleted"();
CREATE TRIGGER "alcance_pole_updated" AFTER UPDATE ON "Pole" REFERENCING OLD TABLE AS o NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_pole_updated"();
CREATE TRIGGER "alcance_span_inserted" AFTER INSERT ON "Span" REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_span_inserted"();
CREATE TRIGGER "alcance_span_deleted" AFTER DELETE ON "Span" REFERENCING OLD TABLE AS o
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_span_deleted"();
CREATE TRIGGER "alcance_span_updated" AFTER UPDATE ON "Span" REFERENCING OLD TABLE AS o NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_span_updated"();
CREATE TRIGGER "alcance_box_pole_inserted" AFTER INSERT ON "Box" REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_box_pole_inserted"();
CREATE TRIGGER "alcance_box_pole_deleted" AFTER DELETE ON "Box" REFERENCING OLD TABLE AS o
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_box_pole_deleted"();
CREATE TRIGGER "alcance_box_pole_updated" AFTER UPDATE ON "Box" REFERENCING OLD TABLE AS o NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_box_pole_updated"();
CREATE TRIGGER "alcance_project_drop_updated" AFTER UPDATE ON "Project" REFERENCING OLD TABLE AS o NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_project_drop_updated"();
CREATE TRIGGER "alcance_condo_inserted" AFTER INSERT ON "HorizontalCondominium" REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_condo_inserted"();
CREATE TRIGGER "alcance_condo_deleted" AFTER DELETE ON "HorizontalCondominium" REFERENCING OLD TABLE AS o
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_condo_deleted"();
CREATE TRIGGER "alcance_condo_updated" AFTER UPDATE ON "HorizontalCondominium" REFERENCING OLD TABLE AS o NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION "alcance_condo_updated"();
