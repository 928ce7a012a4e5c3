-- AlterTable
ALTER TABLE "Asset" ADD COLUMN     "allowedOrigins" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "playbackPolicy" "PlaybackPolicy" NOT NULL DEFAULT 'public';

-- AlterTable
ALTER TABLE "LiveStream" ADD COLUMN     "allowedOrigins" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "SigningKey" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "publicKeyPem" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "SigningKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SigningKey_projectId_createdAt_id_idx" ON "SigningKey"("projectId", "createdAt" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "SigningKey" ADD CONSTRAINT "SigningKey_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
