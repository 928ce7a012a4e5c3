-- AlterTable
ALTER TABLE "LiveStreamSession" ADD COLUMN     "error" TEXT;
