#!/usr/bin/env node
// The CLI: compiled (dist/) when the build is current, else the TypeScript through tsx (bin/launch.mjs).
import { launch } from './launch.mjs';

const { runCli } = await launch('src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
