/** Self-contained HTML reports: of any study (from a journal or trials), and of `compare` / `tune` records. */
export { renderStudyReport, writeStudyReport, readStudy, type StudyData, type ReportTrial } from './study';
export { trialsCsv, writeTrialsCsv } from './csv';
export { analyzeStudy, type StudyAnalysis, type ParamImportance, type ContourData } from './analysis';
export { renderReport, writeReport, chartJsSource, escapeHtml, scriptJson, STRATEGY_COLORS } from './html';
export { formatParams, formatValue } from './format';
