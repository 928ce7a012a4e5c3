-- AlterTable
ALTER TABLE "LiveStreamSession" ADD COLUMN     "health" TEXT NOT NULL DEFAULT 'healthy',
ADD COLUMN     "transcodeStats" JSONB;
