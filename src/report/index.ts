/** Self-contained HTML reports: of any study (from a journal or trials), and of `compare` / `tune` records. */
export { renderStudyReport, writeStudyReport, readStudy, type StudyData, type ReportTrial } from './study';
export { trialsCsv, writeTrialsCsv } from './csv';
export { analyzeStudy, type AnalysisOptions, type StudyAnalysis, type ParamImportance, type ContourData } from './analysis';
export { renderReport, writeReport, escapeHtml, scriptJson, STRATEGY_COLORS, type RenderOptions } from './html';
export { chartJsSource, loadChartJs } from './host';
export { formatParams, formatValue } from './format';
