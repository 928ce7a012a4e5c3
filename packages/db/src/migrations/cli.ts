// npm run db:migrate | db:migration:create -- <name> | db:drift
import { createMigration, deployMigrations, migrationDrift } from './index.js';

const [command, name] = process.argv.slice(2);
const url = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/airwave';

switch (command) {
  case 'deploy': {
    const applied = await deployMigrations(url);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    break;
  }
  case 'create': {
    if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error('usage: npm run db:migration:create -- <snake_case_name>');
    const dir = await createMigration(url, name);
    console.log(dir ? `created ${dir}` : 'schema.prisma matches the migrations: nothing to create');
    break;
  }
  case 'drift': {
    const sql = await migrationDrift(url);
    if (sql) {
      console.error(`schema.prisma and prisma/migrations disagree; missing SQL:\n${sql}`);
      process.exit(1);
    }
    console.log('migrations match schema.prisma');
    break;
  }
  default:
    console.error('usage: cli.ts deploy | create <name> | drift');
    process.exit(2);
}
