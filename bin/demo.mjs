// `npm run demo`: src/demo/main.ts, compiled when the build is current (bin/launch.mjs).
import { launch } from './launch.mjs';

await launch('src/demo/main.ts');
