-- CreateEnum
CREATE TYPE "InputType" AS ENUM ('push', 'pull');

-- AlterTable
ALTER TABLE "LiveStream" ADD COLUMN     "inputError" TEXT,
ADD COLUMN     "inputState" TEXT,
ADD COLUMN     "inputType" "InputType" NOT NULL DEFAULT 'push',
ADD COLUMN     "inputUrlEncrypted" TEXT,
ADD COLUMN     "inputUrlMasked" TEXT;
