-- CreateTable
CREATE TABLE "GeogridIntegration" (
    "integration" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT,
    "linkedAt" DATETIME,
    "unlinkedAt" DATETIME,
    "webhookSecretSealed" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "GeogridItem" (
    "integration" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "boxId" TEXT,
    "poleId" TEXT,
    "fingerprint" TEXT NOT NULL,
    "readAt" DATETIME NOT NULL,
    "seenAt" DATETIME NOT NULL,
    "portsAt" DATETIME,
    "state" TEXT NOT NULL DEFAULT 'synced',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("integration", "itemId")
);

-- CreateTable
CREATE TABLE "GeogridSplitter" (
    "integration" TEXT NOT NULL,
    "equipmentId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "splitterId" TEXT NOT NULL,
    "service" BOOLEAN NOT NULL,
    "reservedJson" TEXT NOT NULL DEFAULT '[]',

    PRIMARY KEY ("integration", "equipmentId")
);

-- CreateTable
CREATE TABLE "GeogridClient" (
    "integration" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "geogridClientId" TEXT,
    "matchedBy" TEXT NOT NULL,
    "pushStatus" TEXT,
    "pushedSplitterId" TEXT,
    "pushedPort" INTEGER,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "nextAttemptAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("integration", "clientId")
);

-- CreateIndex
CREATE UNIQUE INDEX "GeogridIntegration_projectId_key" ON "GeogridIntegration"("projectId");

-- CreateIndex
CREATE INDEX "GeogridItem_integration_state_seenAt_idx" ON "GeogridItem"("integration", "state", "seenAt");

-- CreateIndex
CREATE INDEX "GeogridItem_boxId_idx" ON "GeogridItem"("boxId");

-- CreateIndex
CREATE UNIQUE INDEX "GeogridSplitter_splitterId_key" ON "GeogridSplitter"("splitterId");

-- CreateIndex
CREATE INDEX "GeogridSplitter_integration_itemId_idx" ON "GeogridSplitter"("integration", "itemId");

-- CreateIndex
CREATE UNIQUE INDEX "GeogridClient_integration_geogridClientId_key" ON "GeogridClient"("integration", "geogridClientId");
