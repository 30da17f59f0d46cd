/** The metrics library's public module: computing metrics and series for a filter set, and the filters' schema and scope. */
export { NO_LOOKUP, metricFiltersSchema, resolveScope, scopeLookup, type MetricFilters, type ScopedFilters } from './filters.js';
export {
  METRICS,
  afterHoursSql,
  computeCommitAggregates,
  computeMetrics,
  computePerDeveloper,
  computeSeries,
  isCommitAggregate,
  isMetric,
  weekendSql,
  type MetricResult,
} from './library.js';
export { doraLevelName, doraLevels, overallDoraLevel } from './dora.js';
export {
  agreementEvents,
  COMPARISONS,
  compare,
  hasItems,
  hasWindow,
  isItemMetric,
  ITEM_METRICS,
  WINDOW_DAYS,
  type AgreementEvent,
  type AgreementTerms,
  type Comparison,
} from './agreements.js';
