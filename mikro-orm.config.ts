// Used by the MikroORM CLI and by anything that wants the default ORM options.
import { loadConfig } from './src/config/index.js';
import { ormOptions } from './src/db/orm-config.js';

export default ormOptions(loadConfig().DATABASE_URL);
