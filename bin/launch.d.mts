/** Whether `dir`/dist was built after every file of its src/ and migrations/ last changed. */
export function buildIsFresh(dir?: URL): boolean;
/** Import an entry point given by its source path (`src/cli/main.ts`): compiled when current, else through tsx. */
export function launch(source: string): Promise<Record<string, unknown>>;
