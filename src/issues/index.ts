/** Issues of every source: the investment categories and an organization's settings (its category mapping, what makes an issue an incident). */
export { DEFAULT_CATEGORY_MAPPING, INVESTMENT_CATEGORIES, type InvestmentCategory } from './categories.js';
export { categoryMapping, incidentMatches, setCategory, setIncidentMatches } from './settings.js';
