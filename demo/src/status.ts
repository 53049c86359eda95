/** The status bar: one labelled value per key, shown in the page header. */

export type StatusKey = 'engine' | 'tfjs' | 'candidates' | 'suggest' | 'heatmap';

export class StatusBar {
  readonly values: Partial<Record<StatusKey, string>> = {};

  constructor(private readonly root: HTMLElement) {}

  set(key: StatusKey, text: string): void {
    this.values[key] = text;
    const el = this.root.querySelector(`[data-key="${key}"] .value`);
    if (el) el.textContent = text;
  }
}
