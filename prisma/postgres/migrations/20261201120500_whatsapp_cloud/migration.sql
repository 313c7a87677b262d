-- CreateTable
CREATE TABLE "WhatsAppCloudInbound" (
    "id" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "messageJson" TEXT,
    "repliesJson" TEXT,
    "sentCount" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "claimedUntil" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WhatsAppCloudInbound_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WhatsAppCloudContact" (
    "chatId" TEXT NOT NULL,
    "lastInboundAt" TIMESTAMP(3) NOT NULL,
    "profileName" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WhatsAppCloudContact_pkey" PRIMARY KEY ("chatId")
);

-- CreateTable
CREATE TABLE "WhatsAppCloudOutbound" (
    "id" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "errorCode" INTEGER,
    "noticeJson" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WhatsAppCloudOutbound_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WhatsAppCloudNotice" (
    "kind" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "messageId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WhatsAppCloudNotice_pkey" PRIMARY KEY ("kind","subjectId")
);

-- CreateIndex
CREATE INDEX "WhatsAppCloudInbound_state_claimedUntil_idx" ON "WhatsAppCloudInbound"("state", "claimedUntil");

-- CreateIndex
CREATE INDEX "WhatsAppCloudInbound_receivedAt_idx" ON "WhatsAppCloudInbound"("receivedAt");

-- CreateIndex
CREATE INDEX "WhatsAppCloudOutbound_chatId_createdAt_idx" ON "WhatsAppCloudOutbound"("chatId", "createdAt");

-- CreateIndex
CREATE INDEX "WhatsAppCloudOutbound_createdAt_idx" ON "WhatsAppCloudOutbound"("createdAt");
