-- CreateIndex
CREATE INDEX "FtthClient_reservedBy_idx" ON "FtthClient"("reservedBy");
