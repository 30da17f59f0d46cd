/** The GitHub sync's public part: tracking repositories, their git mirrors and the commit stream's lock (retention prunes mirrors under it), and where their deployments come from. */
export { withCommitStreamLock } from './commit-lock.js';
export { mirrorDir, mirroredRepositories, sweepTempClones } from './git.js';
export { activeRepositories, linkGitHubAccount, organizationOfRepository, startTracking, trackRepository } from './tracked.js';
export { deploymentSourceOf, recentDeployments, setDeploymentSource } from './deployment-settings.js';
