-- CreateTable
CREATE TABLE "AssetSegment" (
    "assetId" TEXT NOT NULL,
    "rendition" TEXT NOT NULL,
    "uri" TEXT NOT NULL,
    "duration" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "AssetSegment_pkey" PRIMARY KEY ("assetId","rendition","uri")
);

-- CreateIndex
CREATE INDEX "Asset_status_updatedAt_idx" ON "Asset"("status", "updatedAt");
