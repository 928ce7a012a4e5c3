-- AlterTable
ALTER TABLE "Asset" ADD COLUMN     "clip" JSONB,
ADD COLUMN     "storyboardReady" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "views" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "watchTimeSeconds" DOUBLE PRECISION NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "AssetSegment" ADD COLUMN     "startAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "LiveStream" ADD COLUMN     "dvrWindowSeconds" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "LiveStreamSession" ADD COLUMN     "viewersPeak" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "ViewerSample" (
    "targetId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "viewers" INTEGER NOT NULL,

    CONSTRAINT "ViewerSample_pkey" PRIMARY KEY ("targetId","at")
);
