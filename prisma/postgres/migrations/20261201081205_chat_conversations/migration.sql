-- AlterTable
ALTER TABLE "Prospect" ADD COLUMN     "outOfArea" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "ChatConversation" (
    "chatKey" TEXT NOT NULL,
    "stateJson" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChatConversation_pkey" PRIMARY KEY ("chatKey")
);

-- CreateTable
CREATE TABLE "ChatProcessedMessage" (
    "id" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChatProcessedMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ChatConversation_expiresAt_idx" ON "ChatConversation"("expiresAt");

-- CreateIndex
CREATE INDEX "ChatProcessedMessage_expiresAt_idx" ON "ChatProcessedMessage"("expiresAt");
