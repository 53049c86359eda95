/**
 * Stroke templates for the ten digits: each variant is a list of polylines in
 * a unit box (x right in [0, 1], y down in [0, 1]), built from line segments,
 * elliptical arcs and cubic curves. Several variants per digit mirror common
 * handwriting styles (crossed 7, serif 1, open 4, ...).
 */

export type Point = [number, number];
export type Stroke = Point[];
export type Glyph = Stroke[];

/** Points of an elliptical arc; angles in degrees, counter-clockwise as seen on screen (y points down). */
function arc(cx: number, cy: number, rx: number, ry: number, fromDeg: number, toDeg: number): Stroke {
  const steps = Math.max(4, Math.ceil(Math.abs(toDeg - fromDeg) / 15));
  const pts: Stroke = [];
  for (let i = 0; i <= steps; i++) {
    const a = ((fromDeg + ((toDeg - fromDeg) * i) / steps) * Math.PI) / 180;
    pts.push([cx + rx * Math.cos(a), cy - ry * Math.sin(a)]);
  }
  return pts;
}

/** Points of a cubic Bezier curve. */
function cubic(p0: Point, p1: Point, p2: Point, p3: Point, steps = 8): Stroke {
  const pts: Stroke = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const u = 1 - t;
    const a = u * u * u;
    const b = 3 * u * u * t;
    const c = 3 * u * t * t;
    const d = t * t * t;
    pts.push([a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]]);
  }
  return pts;
}

/** Concatenate pieces into one stroke (drops the duplicated joint points). */
function join(...parts: Stroke[]): Stroke {
  const out: Stroke = [];
  for (const p of parts) out.push(...(out.length > 0 ? p.slice(1) : p));
  return out;
}

const line = (...pts: Point[]): Stroke => pts;

/** `GLYPHS[d]` lists the variants of digit `d`. */
export const GLYPHS: readonly (readonly Glyph[])[] = [
  // 0
  [
    [arc(0.5, 0.5, 0.36, 0.49, 95, 455)],
    [arc(0.5, 0.5, 0.28, 0.49, 80, 450)],
  ],
  // 1
  [
    [line([0.5, 0], [0.5, 1])],
    [line([0.28, 0.22], [0.55, 0], [0.55, 1])],
    [line([0.3, 0.2], [0.55, 0], [0.55, 1]), line([0.3, 1], [0.8, 1])],
  ],
  // 2
  [
    [join(arc(0.5, 0.28, 0.36, 0.28, 160, -30), line([0.81, 0.42], [0.08, 1], [0.95, 1]))],
    [join(arc(0.5, 0.28, 0.36, 0.28, 160, -20), cubic([0.84, 0.38], [0.6, 0.65], [0.15, 0.85], [0.08, 1]), line([0.08, 1], [0.3, 0.88], [0.95, 1]))],
  ],
  // 3
  [
    [arc(0.48, 0.26, 0.34, 0.25, 150, -90), arc(0.48, 0.74, 0.4, 0.26, 90, -150)],
    [join(line([0.1, 0], [0.88, 0], [0.45, 0.42]), arc(0.48, 0.71, 0.4, 0.29, 90, -150))],
  ],
  // 4
  [
    [line([0.68, 0], [0.05, 0.68], [0.95, 0.68]), line([0.7, 0.3], [0.7, 1])],
    [line([0.2, 0], [0.12, 0.6], [0.92, 0.6]), line([0.72, 0.15], [0.72, 1])],
  ],
  // 5
  [
    [line([0.88, 0], [0.24, 0], [0.18, 0.44]), arc(0.48, 0.69, 0.4, 0.31, 145, -155)],
    [join(line([0.24, 0], [0.18, 0.44]), arc(0.48, 0.69, 0.4, 0.31, 145, -155)), line([0.24, 0], [0.88, 0.02])],
  ],
  // 6
  [
    [join(cubic([0.78, 0], [0.38, 0.12], [0.1, 0.45], [0.19, 0.74]), arc(0.5, 0.72, 0.32, 0.27, 180, 530))],
    [join(line([0.7, 0], [0.2, 0.65]), arc(0.5, 0.73, 0.32, 0.26, 165, 520))],
  ],
  // 7
  [
    [line([0.05, 0], [0.95, 0], [0.38, 1])],
    [line([0.05, 0], [0.95, 0], [0.38, 1]), line([0.35, 0.5], [0.85, 0.5])],
    [line([0.05, 0.12], [0.1, 0], [0.95, 0], [0.55, 0.55], [0.5, 1])],
  ],
  // 8
  [
    [arc(0.5, 0.24, 0.28, 0.24, 270, 630), arc(0.5, 0.73, 0.36, 0.27, 90, 450)],
    [join(cubic([0.75, 0.05], [0.2, -0.1], [0.1, 0.35], [0.5, 0.5]), cubic([0.5, 0.5], [1.0, 0.7], [0.75, 1.05], [0.45, 1]), cubic([0.45, 1], [0.0, 0.95], [0.1, 0.6], [0.55, 0.45]), cubic([0.55, 0.45], [0.95, 0.25], [0.85, -0.02], [0.6, 0.02]))],
  ],
  // 9
  [
    [arc(0.5, 0.28, 0.34, 0.27, 0, 360), line([0.84, 0.28], [0.72, 1])],
    [join(arc(0.5, 0.28, 0.34, 0.27, 0, 360), cubic([0.84, 0.28], [0.84, 0.6], [0.75, 0.85], [0.6, 1]))],
  ],
];
