/**
 * The tuning panel's report: a finished run's study as the self-contained
 * HTML page `webgpu-bayesopt report` writes (history, importance, parallel
 * coordinates, the GP contour, learning curves, the trials), rendered in the
 * page by the library's report module and saved as a download. Chart.js's
 * UMD build, which the page inlines, is a file of the built demo.
 */
import type { StudyData } from '../../src/report/study';

/** Renders `study` and saves it as `fileName`; resolves to the page's length in characters. */
export async function downloadStudyReport(study: StudyData, fileName: string): Promise<number> {
  const res = await fetch('chart.umd.js');
  if (!res.ok) throw new Error(`could not load chart.umd.js: HTTP ${res.status}`);
  const [{ renderStudyReport }, chartJs] = await Promise.all([import('../../src/report/study'), res.text()]);
  const html = renderStudyReport(study, { chartJs });
  const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // the download has read the blob by the time the next task runs
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return html.length;
}
