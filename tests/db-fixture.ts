import { deleteDatabase, useDatabase, type PortfolioDb } from '../src/data/db';
import { resetSettingsForTests } from '../src/data/settings';

let counter = 0;

/** A fresh, empty database for one test. Dexie caches the factory, so we switch names, not globals. */
export async function freshDatabase(): Promise<PortfolioDb> {
  resetSettingsForTests();
  const name = `test-${process.pid}-${++counter}`;
  await deleteDatabase(name);
  const database = useDatabase(name);
  await database.open();
  return database;
}
