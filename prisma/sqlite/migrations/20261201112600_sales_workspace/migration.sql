-- CreateTable
CREATE TABLE "SalesUser" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "disabledAt" DATETIME,
    "passwordChangedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastLoginAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SalesSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    CONSTRAINT "SalesSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "SalesUser" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SalesAudit" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "actorName" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT,
    "detailJson" TEXT NOT NULL DEFAULT '{}'
);

-- CreateTable
CREATE TABLE "SalesNote" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "authorId" TEXT,
    "authorName" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SalesProspectStatus" (
    "prospectId" TEXT NOT NULL PRIMARY KEY,
    "status" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT
);

-- CreateTable
CREATE TABLE "SalesHandoff" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "conversationId" TEXT,
    "customerName" TEXT,
    "answersJson" TEXT NOT NULL DEFAULT '{}',
    "step" TEXT,
    "status" TEXT NOT NULL,
    "requestedAt" DATETIME NOT NULL,
    "takenAt" DATETIME,
    "takenById" TEXT,
    "takenByName" TEXT,
    "endedAt" DATETIME,
    "endedByName" TEXT,
    "escalatedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ChatTranscript" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "agentName" TEXT,
    "text" TEXT NOT NULL,
    "at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SalesEvent" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "subjectKey" TEXT NOT NULL,
    "dedupeKey" TEXT,
    "payloadJson" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "dispatchedAt" DATETIME
);

-- CreateTable
CREATE TABLE "WebhookEndpoint" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL DEFAULT 'webhook',
    "url" TEXT NOT NULL,
    "eventsJson" TEXT NOT NULL,
    "secretSealed" TEXT,
    "description" TEXT,
    "includePii" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SalesReservationWatch" (
    "clientId" TEXT NOT NULL PRIMARY KEY,
    "code" TEXT NOT NULL,
    "reservedBy" TEXT,
    "implanted" BOOLEAN NOT NULL,
    "expiresAt" DATETIME,
    "snapshotJson" TEXT NOT NULL,
    "firstSeenAt" DATETIME NOT NULL,
    "confirmedAt" DATETIME,
    "releasedAt" DATETIME,
    "expiringNotifiedFor" DATETIME
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "endpointId" TEXT NOT NULL,
    "eventSeq" INTEGER NOT NULL,
    "eventType" TEXT NOT NULL,
    "subjectKey" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "lastAttemptAt" DATETIME,
    "lastStatusCode" INTEGER,
    "lastError" TEXT,
    "deliveredAt" DATETIME,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WebhookAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deliveryId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "statusCode" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "SalesUser_username_key" ON "SalesUser"("username");

-- CreateIndex
CREATE INDEX "SalesSession_userId_idx" ON "SalesSession"("userId");

-- CreateIndex
CREATE INDEX "SalesSession_expiresAt_idx" ON "SalesSession"("expiresAt");

-- CreateIndex
CREATE INDEX "SalesAudit_at_idx" ON "SalesAudit"("at");

-- CreateIndex
CREATE INDEX "SalesAudit_subjectType_subjectId_idx" ON "SalesAudit"("subjectType", "subjectId");

-- CreateIndex
CREATE INDEX "SalesNote_subjectType_subjectId_idx" ON "SalesNote"("subjectType", "subjectId");

-- CreateIndex
CREATE INDEX "SalesHandoff_status_requestedAt_idx" ON "SalesHandoff"("status", "requestedAt");

-- CreateIndex
CREATE INDEX "SalesHandoff_channel_chatId_idx" ON "SalesHandoff"("channel", "chatId");

-- CreateIndex
CREATE INDEX "ChatTranscript_channel_chatId_at_idx" ON "ChatTranscript"("channel", "chatId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "SalesEvent_id_key" ON "SalesEvent"("id");

-- CreateIndex
CREATE UNIQUE INDEX "SalesEvent_dedupeKey_key" ON "SalesEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "SalesEvent_dispatchedAt_seq_idx" ON "SalesEvent"("dispatchedAt", "seq");

-- CreateIndex
CREATE INDEX "SalesEvent_type_createdAt_idx" ON "SalesEvent"("type", "createdAt");

-- CreateIndex
CREATE INDEX "SalesReservationWatch_releasedAt_expiresAt_idx" ON "SalesReservationWatch"("releasedAt", "expiresAt");

-- CreateIndex
CREATE INDEX "SalesReservationWatch_code_idx" ON "SalesReservationWatch"("code");

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_status_eventSeq_idx" ON "WebhookDelivery"("endpointId", "status", "eventSeq");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_endpointId_eventSeq_key" ON "WebhookDelivery"("endpointId", "eventSeq");

-- CreateIndex
CREATE INDEX "WebhookAttempt_deliveryId_at_idx" ON "WebhookAttempt"("deliveryId", "at");
