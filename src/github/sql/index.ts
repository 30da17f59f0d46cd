/** The GitHub feature's statements others read: the git fallback totals (/metrics). */
export { gitFallbackTotals } from './git-fallbacks.js';
