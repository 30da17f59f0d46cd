/** The career feature's public module: what other features, the CLI and the demo use of roles, learning paths, skill levels, readiness and the career metrics. */
export { seedCareerLadder } from './ladder.js';
export { learningProgressMetric, readinessMetric, skillLevelsMetric } from './metrics.js';
export { createLearningPath, type CreatedPath } from './paths.js';
export { hasActivePaths } from './progress.js';
export { developerByLogin, pathsWithMilestones, recommendedActivities, rolesFor, rolesNamed, type PathWithMilestones } from './queries.js';
export { readinessOf, type Readiness } from './readiness.js';
export { createCareerRole } from './roles.js';
export { skillLabel, skillLevels, type SkillLevel } from './skills.js';
