import { InitialSchema1764100000000 } from './1764100000000-initial-schema';

/** The one migration history, in order, for MariaDB/MySQL and SQLite alike. */
export const MIGRATIONS = [InitialSchema1764100000000];
