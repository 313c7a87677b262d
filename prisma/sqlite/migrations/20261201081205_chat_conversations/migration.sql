-- CreateTable
CREATE TABLE "ChatConversation" (
    "chatKey" TEXT NOT NULL PRIMARY KEY,
    "stateJson" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ChatProcessedMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" DATETIME NOT NULL
);

-- AlterTable (a plain ADD COLUMN: no table rebuild)
ALTER TABLE "Prospect" ADD COLUMN "outOfArea" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "ChatConversation_expiresAt_idx" ON "ChatConversation"("expiresAt");

-- CreateIndex
CREATE INDEX "ChatProcessedMessage_expiresAt_idx" ON "ChatProcessedMessage"("expiresAt");
