// `npm run board`: src/board/main.ts, compiled when the build is current (bin/launch.mjs).
import { launch } from './launch.mjs';

await launch('src/board/main.ts');
