-- CreateTable
CREATE TABLE "SyncRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "integration" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "cycle" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "dryRun" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    "heartbeatAt" DATETIME NOT NULL,
    "owner" TEXT,
    "countsJson" TEXT NOT NULL DEFAULT '{}',
    "progressJson" TEXT NOT NULL DEFAULT '{}',
    "metaJson" TEXT NOT NULL DEFAULT '{}',
    "error" TEXT,
    "errorCode" TEXT,
    "itemCount" INTEGER NOT NULL DEFAULT 0,
    "itemsTruncated" BOOLEAN NOT NULL DEFAULT false
);

-- CreateTable
CREATE TABLE "SyncRunItem" (
    "runId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "itemId" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "message" TEXT NOT NULL,
    "detailJson" TEXT,

    PRIMARY KEY ("runId", "seq"),
    CONSTRAINT "SyncRunItem_runId_fkey" FOREIGN KEY ("runId") REFERENCES "SyncRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable (columns added in place: a table rebuild would collide with other migrations on Integration)
ALTER TABLE "Integration" ADD COLUMN "enabled" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "Integration" ADD COLUMN "url" TEXT;
ALTER TABLE "Integration" ADD COLUMN "tokenSealed" TEXT;
ALTER TABLE "Integration" ADD COLUMN "passwordSealed" TEXT;
ALTER TABLE "Integration" ADD COLUMN "settingsJson" TEXT NOT NULL DEFAULT '{}';

-- CreateIndex
CREATE INDEX "SyncRun_integration_startedAt_idx" ON "SyncRun"("integration", "startedAt");

-- CreateIndex
CREATE INDEX "SyncRun_status_heartbeatAt_idx" ON "SyncRun"("status", "heartbeatAt");

-- CreateIndex
CREATE INDEX "SyncRun_startedAt_idx" ON "SyncRun"("startedAt");

-- CreateIndex
CREATE INDEX "SyncRunItem_runId_outcome_idx" ON "SyncRunItem"("runId", "outcome");

-- CreateIndex
CREATE INDEX "SyncRunItem_itemId_idx" ON "SyncRunItem"("itemId");
