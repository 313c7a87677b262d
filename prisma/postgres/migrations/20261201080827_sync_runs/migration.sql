-- AlterTable
ALTER TABLE "Integration" ADD COLUMN     "enabled" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "passwordSealed" TEXT,
ADD COLUMN     "settingsJson" TEXT NOT NULL DEFAULT '{}',
ADD COLUMN     "tokenSealed" TEXT,
ADD COLUMN     "url" TEXT;

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" TEXT NOT NULL,
    "integration" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "cycle" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "dryRun" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3) NOT NULL,
    "owner" TEXT,
    "countsJson" TEXT NOT NULL DEFAULT '{}',
    "progressJson" TEXT NOT NULL DEFAULT '{}',
    "metaJson" TEXT NOT NULL DEFAULT '{}',
    "error" TEXT,
    "errorCode" TEXT,
    "itemCount" INTEGER NOT NULL DEFAULT 0,
    "itemsTruncated" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "SyncRun_pkey" PRIMARY KEY ("id")
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

    CONSTRAINT "SyncRunItem_pkey" PRIMARY KEY ("runId","seq")
);

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

-- AddForeignKey
ALTER TABLE "SyncRunItem" ADD CONSTRAINT "SyncRunItem_runId_fkey" FOREIGN KEY ("runId") REFERENCES "SyncRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
