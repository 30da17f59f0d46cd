/** The GitHub webhook receiver, mounted by the board. */
export { registerGitHubWebhooks } from './receiver.js';
