/** The insights feature's public module: the signals, the model's insight types and the heuristic's explanations (Slack alerts explain factors with them). */
export { explainFactors } from './heuristic.js';
export { DEVELOPER_INSIGHTS } from './model.js';
export { developerSignals, teamSignals } from './signals.js';
