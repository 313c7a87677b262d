-- CreateTable
CREATE TABLE "WhatsAppCloudInbound" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "chatId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "messageJson" TEXT,
    "repliesJson" TEXT,
    "sentCount" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "receivedAt" DATETIME NOT NULL,
    "claimedUntil" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WhatsAppCloudContact" (
    "chatId" TEXT NOT NULL PRIMARY KEY,
    "lastInboundAt" DATETIME NOT NULL,
    "profileName" TEXT,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WhatsAppCloudOutbound" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "chatId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "errorCode" INTEGER,
    "noticeJson" TEXT,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WhatsAppCloudNotice" (
    "kind" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "messageId" TEXT,
    "createdAt" DATETIME NOT NULL,

    PRIMARY KEY ("kind", "subjectId")
);

-- CreateIndex
CREATE INDEX "WhatsAppCloudInbound_state_claimedUntil_idx" ON "WhatsAppCloudInbound"("state", "claimedUntil");

-- CreateIndex
CREATE INDEX "WhatsAppCloudInbound_receivedAt_idx" ON "WhatsAppCloudInbound"("receivedAt");

-- CreateIndex
CREATE INDEX "WhatsAppCloudOutbound_chatId_createdAt_idx" ON "WhatsAppCloudOutbound"("chatId", "createdAt");

-- CreateIndex
CREATE INDEX "WhatsAppCloudOutbound_createdAt_idx" ON "WhatsAppCloudOutbound"("createdAt");
