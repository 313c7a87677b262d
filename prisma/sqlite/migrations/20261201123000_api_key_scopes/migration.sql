-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN "scopes" TEXT;

-- AlterTable
ALTER TABLE "FtthClient" ADD COLUMN "createdBy" TEXT;
