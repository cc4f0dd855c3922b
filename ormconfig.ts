import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/config';
import { dataSourceOptions } from './src/database/data-source-options';

/** For the TypeORM CLI (`npx typeorm -d dist/ormconfig.js migration:show`); the app uses the same options. */
export default new DataSource(dataSourceOptions(loadConfig().database));
