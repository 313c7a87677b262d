-- CreateIndex
CREATE INDEX "SplitterPort_blocked_idx" ON "SplitterPort"("blocked");
