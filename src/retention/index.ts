/** The retention feature's public module: counting what was pruned. */
export { prunedTotals, recordPruned } from './queries.js';
