/** Self-contained HTML reports of `compare` / `tune` records. */
export { renderReport, writeReport, chartJsSource, escapeHtml, scriptJson, STRATEGY_COLORS } from './html';
export { formatParams, formatValue } from './format';
