/**
 * One heatmap card: a `g x g` surface through viridis on a canvas, markers
 * for observations, the next suggestion and known minimizers, and a colour
 * bar labelled with the range it spans.
 */
import { colourize, colourRange, viridisTable, type ColourRange } from './colormap';
import { formatValue } from './format';

/** A point in the unit square (u1 to the right, u2 up). */
export type UnitPoint = readonly [number, number];

export interface Markers {
  observations: readonly UnitPoint[];
  /** the newest observation, ringed */
  latest?: UnitPoint;
  next?: UnitPoint;
  minimizers?: readonly UnitPoint[];
}

const LUT = viridisTable();
/** Canvas size in device pixels: the 256-point grid drawn at 2x, so markers stay sharp. */
const CANVAS_PX = 512;

export class HeatmapView {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly bar: HTMLCanvasElement;
  private readonly lo: HTMLElement;
  private readonly hi: HTMLElement;
  private readonly off: HTMLCanvasElement;
  /** range of the last drawing, for the page's test hooks */
  range: ColourRange | null = null;

  /**
   * @param lowQuantile colour the bottom `lowQuantile` of values as the lowest
   *   colour (0: full range) [0]
   */
  constructor(parent: HTMLElement, readonly key: string, title: string, readonly lowQuantile = 0) {
    this.root = document.createElement('figure');
    this.root.className = 'heatmap';
    this.root.dataset.surface = key;
    this.root.innerHTML = `
      <figcaption></figcaption>
      <canvas class="map" width="${CANVAS_PX}" height="${CANVAS_PX}"></canvas>
      <div class="colorbar">
        <span class="lo"></span><canvas width="256" height="1"></canvas><span class="hi"></span>
      </div>`;
    (this.root.querySelector('figcaption') as HTMLElement).textContent = title;
    this.canvas = this.root.querySelector('canvas.map') as HTMLCanvasElement;
    this.canvas.setAttribute('aria-label', title);
    this.bar = this.root.querySelector('.colorbar canvas') as HTMLCanvasElement;
    this.lo = this.root.querySelector('.lo') as HTMLElement;
    this.hi = this.root.querySelector('.hi') as HTMLElement;
    this.off = document.createElement('canvas');
    parent.appendChild(this.root);
    this.drawBar();
  }

  setTitle(title: string): void {
    (this.root.querySelector('figcaption') as HTMLElement).textContent = title;
    this.canvas.setAttribute('aria-label', title);
  }

  private drawBar(): void {
    const ctx = this.bar.getContext('2d') as CanvasRenderingContext2D;
    const img = ctx.createImageData(256, 1);
    colourize(Float64Array.from({ length: 256 }, (_, i) => i), { lo: 0, hi: 255, clippedLow: false }, LUT, img.data);
    ctx.putImageData(img, 0, 0);
  }

  /**
   * Draws `values` (`g x g`, row 0 at the top) and the markers, coloured over
   * `range` when given (values outside it take the end colours), else over
   * the values' own range.
   */
  draw(values: ArrayLike<number>, g: number, markers: Markers, range: ColourRange = colourRange(values, this.lowQuantile)): void {
    this.range = range;
    if (this.off.width !== g) {
      this.off.width = g;
      this.off.height = g;
    }
    const octx = this.off.getContext('2d') as CanvasRenderingContext2D;
    const img = octx.createImageData(g, g);
    colourize(values, range, LUT, img.data);
    octx.putImageData(img, 0, 0);

    const ctx = this.canvas.getContext('2d') as CanvasRenderingContext2D;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.off, 0, 0, CANVAS_PX, CANVAS_PX);
    const at = ([u1, u2]: UnitPoint): [number, number] => [u1 * CANVAS_PX, (1 - u2) * CANVAS_PX];

    for (const p of markers.minimizers ?? []) star(ctx, ...at(p), 9);
    for (const p of markers.observations) {
      const [x, y] = at(p);
      ctx.beginPath();
      ctx.arc(x, y, 5, 0, 2 * Math.PI);
      ctx.fillStyle = '#ffffff';
      ctx.fill();
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#111111';
      ctx.stroke();
    }
    if (markers.latest) {
      const [x, y] = at(markers.latest);
      ctx.beginPath();
      ctx.arc(x, y, 10, 0, 2 * Math.PI);
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#ffffff';
      ctx.stroke();
    }
    if (markers.next) {
      const [x, y] = at(markers.next);
      ctx.lineWidth = 5;
      ctx.strokeStyle = '#111111';
      cross(ctx, x, y, 12);
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#ff4d6d';
      cross(ctx, x, y, 12);
    }
    this.lo.textContent = (range.clippedLow ? '≤ ' : '') + formatValue(range.lo);
    this.hi.textContent = (range.clippedHigh ? '≥ ' : '') + formatValue(range.hi);
  }
}

function cross(ctx: CanvasRenderingContext2D, x: number, y: number, r: number): void {
  ctx.beginPath();
  ctx.moveTo(x - r, y - r);
  ctx.lineTo(x + r, y + r);
  ctx.moveTo(x + r, y - r);
  ctx.lineTo(x - r, y + r);
  ctx.stroke();
}

function star(ctx: CanvasRenderingContext2D, x: number, y: number, r: number): void {
  ctx.beginPath();
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    const rr = i % 2 === 0 ? r : r * 0.45;
    ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
  }
  ctx.closePath();
  ctx.fillStyle = '#ffd166';
  ctx.fill();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = '#111111';
  ctx.stroke();
}
