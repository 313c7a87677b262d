-- CreateTable
CREATE TABLE "Project" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "externalId" TEXT,
    "name" TEXT NOT NULL,
    "identifier" TEXT,
    "lat" REAL NOT NULL DEFAULT 0,
    "lng" REAL NOT NULL DEFAULT 0,
    "defaultPonPotency" REAL NOT NULL DEFAULT 0,
    "dropMaxSize" REAL,
    "areaJson" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Tag" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "allowedTypesJson" TEXT NOT NULL DEFAULT '[]',
    "color" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RegionType" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "color" TEXT NOT NULL DEFAULT '3388FF',
    "borderColor" TEXT NOT NULL DEFAULT '3388FF',
    "lineWidth" REAL NOT NULL DEFAULT 3.5,
    "description" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Region" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "externalId" TEXT,
    "name" TEXT,
    "polygonJson" TEXT NOT NULL,
    "regionTypeId" TEXT NOT NULL,
    "observation" TEXT,
    "color" TEXT,
    "borderColor" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Region_regionTypeId_fkey" FOREIGN KEY ("regionTypeId") REFERENCES "RegionType" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "BoxType" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "code" TEXT NOT NULL,
    "prefix" TEXT NOT NULL DEFAULT '',
    "brand" TEXT,
    "mold" TEXT,
    "description" TEXT,
    "defaultLevel" INTEGER,
    "defaultReserve" INTEGER NOT NULL DEFAULT 0,
    "configJson" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Pole" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "externalId" TEXT,
    "name" TEXT,
    "projectId" TEXT NOT NULL,
    "lng" REAL NOT NULL,
    "lat" REAL NOT NULL,
    "observation" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Pole_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Box" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "externalId" TEXT,
    "name" TEXT,
    "projectId" TEXT NOT NULL,
    "lng" REAL NOT NULL,
    "lat" REAL NOT NULL,
    "boxTypeId" TEXT,
    "hierarchyLevel" INTEGER NOT NULL DEFAULT 0,
    "implanted" BOOLEAN NOT NULL DEFAULT true,
    "draft" BOOLEAN NOT NULL DEFAULT false,
    "shared" BOOLEAN NOT NULL DEFAULT false,
    "certified" BOOLEAN NOT NULL DEFAULT false,
    "defaultReserve" INTEGER NOT NULL DEFAULT 0,
    "poleId" TEXT,
    "address" TEXT,
    "observation" TEXT,
    "color" TEXT,
    "fillColor" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Box_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Box_boxTypeId_fkey" FOREIGN KEY ("boxTypeId") REFERENCES "BoxType" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Box_poleId_fkey" FOREIGN KEY ("poleId") REFERENCES "Pole" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SplitterType" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "code" TEXT NOT NULL,
    "isDrop" BOOLEAN NOT NULL DEFAULT false,
    "ratioIn" INTEGER NOT NULL DEFAULT 1,
    "ratioOut" INTEGER NOT NULL,
    "isBalanced" BOOLEAN NOT NULL DEFAULT true,
    "prefix" TEXT NOT NULL DEFAULT 'Splitter ',
    "size" INTEGER NOT NULL DEFAULT 0,
    "inputConnectionType" INTEGER NOT NULL DEFAULT 0,
    "outputConnectionType" INTEGER NOT NULL DEFAULT 0,
    "attenuationJson" TEXT NOT NULL DEFAULT '[]',
    "brand" TEXT,
    "mold" TEXT,
    "description" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Splitter" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "externalId" TEXT,
    "name" TEXT,
    "boxId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "splitterTypeId" TEXT NOT NULL,
    "implanted" BOOLEAN NOT NULL DEFAULT true,
    "isDrop" BOOLEAN NOT NULL DEFAULT false,
    "isBalanced" BOOLEAN NOT NULL DEFAULT true,
    "ratioIn" INTEGER NOT NULL DEFAULT 1,
    "ratioOut" INTEGER NOT NULL,
    "orientation" TEXT NOT NULL DEFAULT 'right',
    "label" TEXT NOT NULL DEFAULT '',
    "attenuationJson" TEXT NOT NULL DEFAULT '[]',
    "observation" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Splitter_boxId_fkey" FOREIGN KEY ("boxId") REFERENCES "Box" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Splitter_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Splitter_splitterTypeId_fkey" FOREIGN KEY ("splitterTypeId") REFERENCES "SplitterType" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SplitterPort" (
    "splitterId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "blocked" BOOLEAN NOT NULL DEFAULT false,
    "tagsJson" TEXT NOT NULL DEFAULT '[]',
    "observation" TEXT,

    PRIMARY KEY ("splitterId", "index"),
    CONSTRAINT "SplitterPort_splitterId_fkey" FOREIGN KEY ("splitterId") REFERENCES "Splitter" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FtthClient" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "externalId" TEXT,
    "code" TEXT NOT NULL,
    "name" TEXT,
    "implanted" BOOLEAN NOT NULL DEFAULT false,
    "certified" BOOLEAN NOT NULL DEFAULT false,
    "status" INTEGER NOT NULL DEFAULT 0,
    "onuUser" TEXT NOT NULL DEFAULT '',
    "onuSerial" TEXT NOT NULL DEFAULT '',
    "onuMac" TEXT NOT NULL DEFAULT '',
    "cpeJson" TEXT,
    "observation" TEXT,
    "document" TEXT,
    "phone" TEXT,
    "email" TEXT,
    "reservedBy" TEXT,
    "reservationExpiresAt" DATETIME,
    "reservationMetaJson" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Property" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "externalId" TEXT,
    "projectId" TEXT NOT NULL,
    "clientId" TEXT,
    "boxId" TEXT,
    "poleId" TEXT,
    "lng" REAL,
    "lat" REAL,
    "address" TEXT,
    "observation" TEXT,
    "potencyRead" REAL,
    "splitterId" TEXT,
    "port" INTEGER,
    "historyJson" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Property_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Property_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "FtthClient" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Property_boxId_fkey" FOREIGN KEY ("boxId") REFERENCES "Box" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Property_poleId_fkey" FOREIGN KEY ("poleId") REFERENCES "Pole" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Property_splitterId_fkey" FOREIGN KEY ("splitterId") REFERENCES "Splitter" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Prospect" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "externalId" TEXT,
    "name" TEXT,
    "code" TEXT,
    "phone" TEXT,
    "email" TEXT,
    "address" TEXT,
    "observation" TEXT,
    "viable" BOOLEAN,
    "lng" REAL,
    "lat" REAL,
    "source" TEXT,
    "metaJson" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SystemConfig" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "defaultRadiusMeters" INTEGER NOT NULL DEFAULT 300,
    "maxBoxesInRadius" INTEGER NOT NULL DEFAULT 20,
    "hierarchyLevelsJson" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "integration" TEXT NOT NULL DEFAULT 'generic',
    "keyHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    "lastUsedAt" DATETIME
);

-- CreateTable
CREATE TABLE "_ProjectToRegion" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,
    CONSTRAINT "_ProjectToRegion_A_fkey" FOREIGN KEY ("A") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_ProjectToRegion_B_fkey" FOREIGN KEY ("B") REFERENCES "Region" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_RegionToTag" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,
    CONSTRAINT "_RegionToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "Region" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_RegionToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_BoxToTag" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,
    CONSTRAINT "_BoxToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "Box" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_BoxToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_FtthClientToTag" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,
    CONSTRAINT "_FtthClientToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "FtthClient" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_FtthClientToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_PropertyToTag" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,
    CONSTRAINT "_PropertyToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "Property" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_PropertyToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_ProspectToTag" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,
    CONSTRAINT "_ProspectToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "Prospect" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_ProspectToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Project_externalId_key" ON "Project"("externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Tag_name_key" ON "Tag"("name");

-- CreateIndex
CREATE UNIQUE INDEX "RegionType_name_key" ON "RegionType"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Region_externalId_key" ON "Region"("externalId");

-- CreateIndex
CREATE INDEX "Region_name_idx" ON "Region"("name");

-- CreateIndex
CREATE UNIQUE INDEX "BoxType_code_key" ON "BoxType"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Pole_externalId_key" ON "Pole"("externalId");

-- CreateIndex
CREATE INDEX "Pole_lat_lng_idx" ON "Pole"("lat", "lng");

-- CreateIndex
CREATE UNIQUE INDEX "Box_externalId_key" ON "Box"("externalId");

-- CreateIndex
CREATE INDEX "Box_name_idx" ON "Box"("name");

-- CreateIndex
CREATE INDEX "Box_lat_lng_idx" ON "Box"("lat", "lng");

-- CreateIndex
CREATE UNIQUE INDEX "SplitterType_code_key" ON "SplitterType"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Splitter_externalId_key" ON "Splitter"("externalId");

-- CreateIndex
CREATE INDEX "Splitter_boxId_idx" ON "Splitter"("boxId");

-- CreateIndex
CREATE UNIQUE INDEX "FtthClient_externalId_key" ON "FtthClient"("externalId");

-- CreateIndex
CREATE UNIQUE INDEX "FtthClient_code_key" ON "FtthClient"("code");

-- CreateIndex
CREATE INDEX "FtthClient_document_idx" ON "FtthClient"("document");

-- CreateIndex
CREATE INDEX "FtthClient_implanted_reservationExpiresAt_idx" ON "FtthClient"("implanted", "reservationExpiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Property_externalId_key" ON "Property"("externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Property_clientId_key" ON "Property"("clientId");

-- CreateIndex
CREATE INDEX "Property_boxId_idx" ON "Property"("boxId");

-- CreateIndex
CREATE UNIQUE INDEX "Property_splitterId_port_key" ON "Property"("splitterId", "port");

-- CreateIndex
CREATE UNIQUE INDEX "Prospect_externalId_key" ON "Prospect"("externalId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");

-- CreateIndex
CREATE UNIQUE INDEX "_ProjectToRegion_AB_unique" ON "_ProjectToRegion"("A", "B");

-- CreateIndex
CREATE INDEX "_ProjectToRegion_B_index" ON "_ProjectToRegion"("B");

-- CreateIndex
CREATE UNIQUE INDEX "_RegionToTag_AB_unique" ON "_RegionToTag"("A", "B");

-- CreateIndex
CREATE INDEX "_RegionToTag_B_index" ON "_RegionToTag"("B");

-- CreateIndex
CREATE UNIQUE INDEX "_BoxToTag_AB_unique" ON "_BoxToTag"("A", "B");

-- CreateIndex
CREATE INDEX "_BoxToTag_B_index" ON "_BoxToTag"("B");

-- CreateIndex
CREATE UNIQUE INDEX "_FtthClientToTag_AB_unique" ON "_FtthClientToTag"("A", "B");

-- CreateIndex
CREATE INDEX "_FtthClientToTag_B_index" ON "_FtthClientToTag"("B");

-- CreateIndex
CREATE UNIQUE INDEX "_PropertyToTag_AB_unique" ON "_PropertyToTag"("A", "B");

-- CreateIndex
CREATE INDEX "_PropertyToTag_B_index" ON "_PropertyToTag"("B");

-- CreateIndex
CREATE UNIQUE INDEX "_ProspectToTag_AB_unique" ON "_ProspectToTag"("A", "B");

-- CreateIndex
CREATE INDEX "_ProspectToTag_B_index" ON "_ProspectToTag"("B");
