// `npm run worker`: src/workers/main.ts, compiled when the build is current (bin/launch.mjs).
import { launch } from './launch.mjs';

await launch('src/workers/main.ts');
