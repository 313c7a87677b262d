-- CreateTable
CREATE TABLE "Span" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "externalId" TEXT,
    "name" TEXT,
    "projectId" TEXT NOT NULL,
    "poleAId" TEXT NOT NULL,
    "poleBId" TEXT NOT NULL,
    "length" REAL,
    "cable" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Span_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Span_poleAId_fkey" FOREIGN KEY ("poleAId") REFERENCES "Pole" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Span_poleBId_fkey" FOREIGN KEY ("poleBId") REFERENCES "Pole" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "HorizontalCondominium" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "externalId" TEXT,
    "name" TEXT,
    "projectId" TEXT NOT NULL,
    "polygonJson" TEXT NOT NULL,
    "address" TEXT,
    "observation" TEXT,
    "color" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "HorizontalCondominium_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ViabilitySettings" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "mode" TEXT NOT NULL DEFAULT 'radius',
    "poleAccessDistance" INTEGER NOT NULL DEFAULT 100,
    "maxDropLength" INTEGER NOT NULL DEFAULT 500,
    "propertyPortsFree" BOOLEAN NOT NULL DEFAULT false,
    "blockedPortsFree" BOOLEAN NOT NULL DEFAULT false,
    "horizontalCondos" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "IntegrationViability" (
    "integration" TEXT NOT NULL PRIMARY KEY,
    "mode" TEXT,
    "poleAccessDistance" INTEGER,
    "maxDropLength" INTEGER,
    "maxBoxes" INTEGER,
    "propertyPortsFree" BOOLEAN,
    "blockedPortsFree" BOOLEAN,
    "horizontalCondos" BOOLEAN,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "_HorizontalCondominiumToTag" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,
    CONSTRAINT "_HorizontalCondominiumToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "HorizontalCondominium" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_HorizontalCondominiumToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Span_externalId_key" ON "Span"("externalId");

-- CreateIndex
CREATE INDEX "Span_poleAId_idx" ON "Span"("poleAId");

-- CreateIndex
CREATE INDEX "Span_poleBId_idx" ON "Span"("poleBId");

-- CreateIndex
CREATE UNIQUE INDEX "HorizontalCondominium_externalId_key" ON "HorizontalCondominium"("externalId");

-- CreateIndex
CREATE INDEX "HorizontalCondominium_name_idx" ON "HorizontalCondominium"("name");

-- CreateIndex
CREATE UNIQUE INDEX "_HorizontalCondominiumToTag_AB_unique" ON "_HorizontalCondominiumToTag"("A", "B");

-- CreateIndex
CREATE INDEX "_HorizontalCondominiumToTag_B_index" ON "_HorizontalCondominiumToTag"("B");

-- CreateIndex
CREATE INDEX "Box_poleId_idx" ON "Box"("poleId");
