// Read by the Prisma CLI (`prisma generate`, and `prisma migrate deploy` where its engine binary can be
// downloaded). Airwave's own migration scripts drive the same schema engine through WebAssembly.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/airwave' },
});
