-- CreateTable
CREATE TABLE "SalesUser" (
    "id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "disabledAt" TIMESTAMP(3),
    "passwordChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastLoginAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SalesUser_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SalesSession" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SalesSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SalesAudit" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "actorName" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT,
    "detailJson" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "SalesAudit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SalesNote" (
    "id" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "authorId" TEXT,
    "authorName" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SalesNote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SalesProspectStatus" (
    "prospectId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT,

    CONSTRAINT "SalesProspectStatus_pkey" PRIMARY KEY ("prospectId")
);

-- CreateTable
CREATE TABLE "SalesHandoff" (
    "id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "conversationId" TEXT,
    "customerName" TEXT,
    "answersJson" TEXT NOT NULL DEFAULT '{}',
    "step" TEXT,
    "status" TEXT NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "takenAt" TIMESTAMP(3),
    "takenById" TEXT,
    "takenByName" TEXT,
    "endedAt" TIMESTAMP(3),
    "endedByName" TEXT,
    "escalatedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SalesHandoff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatTranscript" (
    "id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "agentName" TEXT,
    "text" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChatTranscript_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SalesEvent" (
    "seq" SERIAL NOT NULL,
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "subjectKey" TEXT NOT NULL,
    "dedupeKey" TEXT,
    "payloadJson" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "dispatchedAt" TIMESTAMP(3),

    CONSTRAINT "SalesEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "WebhookEndpoint" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'webhook',
    "url" TEXT NOT NULL,
    "eventsJson" TEXT NOT NULL,
    "secretSealed" TEXT,
    "description" TEXT,
    "includePii" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebhookEndpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SalesReservationWatch" (
    "clientId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "reservedBy" TEXT,
    "implanted" BOOLEAN NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "snapshotJson" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "confirmedAt" TIMESTAMP(3),
    "releasedAt" TIMESTAMP(3),
    "expiringNotifiedFor" TIMESTAMP(3),

    CONSTRAINT "SalesReservationWatch_pkey" PRIMARY KEY ("clientId")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "endpointId" TEXT NOT NULL,
    "eventSeq" INTEGER NOT NULL,
    "eventType" TEXT NOT NULL,
    "subjectKey" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "lastAttemptAt" TIMESTAMP(3),
    "lastStatusCode" INTEGER,
    "lastError" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookAttempt" (
    "id" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "statusCode" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,

    CONSTRAINT "WebhookAttempt_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "SalesSession" ADD CONSTRAINT "SalesSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "SalesUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;
