-- CreateTable
CREATE TABLE "Span" (
    "id" TEXT NOT NULL,
    "externalId" TEXT,
    "name" TEXT,
    "projectId" TEXT NOT NULL,
    "poleAId" TEXT NOT NULL,
    "poleBId" TEXT NOT NULL,
    "length" DOUBLE PRECISION,
    "cable" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Span_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HorizontalCondominium" (
    "id" TEXT NOT NULL,
    "externalId" TEXT,
    "name" TEXT,
    "projectId" TEXT NOT NULL,
    "polygonJson" TEXT NOT NULL,
    "address" TEXT,
    "observation" TEXT,
    "color" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "HorizontalCondominium_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ViabilitySettings" (
    "id" TEXT NOT NULL,
    "mode" TEXT NOT NULL DEFAULT 'radius',
    "poleAccessDistance" INTEGER NOT NULL DEFAULT 100,
    "maxDropLength" INTEGER NOT NULL DEFAULT 500,
    "propertyPortsFree" BOOLEAN NOT NULL DEFAULT false,
    "blockedPortsFree" BOOLEAN NOT NULL DEFAULT false,
    "horizontalCondos" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ViabilitySettings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IntegrationViability" (
    "integration" TEXT NOT NULL,
    "mode" TEXT,
    "poleAccessDistance" INTEGER,
    "maxDropLength" INTEGER,
    "maxBoxes" INTEGER,
    "propertyPortsFree" BOOLEAN,
    "blockedPortsFree" BOOLEAN,
    "horizontalCondos" BOOLEAN,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IntegrationViability_pkey" PRIMARY KEY ("integration")
);

-- CreateTable
CREATE TABLE "_HorizontalCondominiumToTag" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,

    CONSTRAINT "_HorizontalCondominiumToTag_AB_pkey" PRIMARY KEY ("A","B")
);

-- CreateIndex
CREATE UNIQUE INDEX "Span_externalId_key" ON "Span"("externalId");

-- CreateIndex
CREATE INDEX "Span_poleAId_idx" ON "Span"("poleAId");

-- CreateIndex
CREATE INDEX "Span_poleBId_idx" ON "Span"("poleBId");

-- CreateIndex
CREATE UNIQUE INDEX "HorizontalCondominium_externalId_key" ON "HorizontalCondominium"("externalId");

-- CreateIndex
CREATE INDEX "HorizontalCondominium_name_idx" ON "HorizontalCondominium"("name");

-- CreateIndex
CREATE INDEX "_HorizontalCondominiumToTag_B_index" ON "_HorizontalCondominiumToTag"("B");

-- CreateIndex
CREATE INDEX "Box_poleId_idx" ON "Box"("poleId");

-- AddForeignKey
ALTER TABLE "Span" ADD CONSTRAINT "Span_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Span" ADD CONSTRAINT "Span_poleAId_fkey" FOREIGN KEY ("poleAId") REFERENCES "Pole"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Span" ADD CONSTRAINT "Span_poleBId_fkey" FOREIGN KEY ("poleBId") REFERENCES "Pole"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HorizontalCondominium" ADD CONSTRAINT "HorizontalCondominium_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_HorizontalCondominiumToTag" ADD CONSTRAINT "_HorizontalCondominiumToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "HorizontalCondominium"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_HorizontalCondominiumToTag" ADD CONSTRAINT "_HorizontalCondominiumToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag"("id") ON DELETE CASCADE ON UPDATE CASCADE;
