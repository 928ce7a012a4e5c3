-- AlterTable
ALTER TABLE "Asset" ADD COLUMN     "mp4Ready" BOOLEAN NOT NULL DEFAULT false;
