/** The developer profiles' public module: the evidence formulas skill levels share (languages' domains, framework rules). */
export { DOMAIN_OF_LANGUAGE, FRAMEWORK_RULES } from './evidence.js';
