/**
 * Standardization of GP targets: y_std = (y / scale - mean) / std, with
 * `scale` 1 unless targets come near the float64 limit.
 */

/** Above this |y|, targets are divided by a power of two first: differences and sums of values near ±1.8e308 overflow. */
const SCALE_ABOVE = 2 ** 1000;

/**
 * Centre and (n - 1) standard deviation of y / scale: the centre is the
 * sample mean plus `priorMean` standard deviations (the GP's constant prior
 * mean, see GPOptions.priorMean); where the targets have no spread (zero, a
 * few ulps of the mean: rounding noise, see ROUNDING_ULPS; or n < 2) the
 * centre is their mean and std their magnitude |mean| (1 for zero).
 * `scale` is 1 for ordinary targets (so results are exactly those of plain
 * standardization) and a power of two near max |y| beyond SCALE_ABOVE, so
 * that targets anywhere in the float64 range standardize without overflow.
 */
export function standardization(yRaw: Float64Array, priorMean = 0): { scale: number; mean: number; std: number } {
  const n = yRaw.length;
  let big = 0;
  for (let i = 0; i < n; i++) big = Math.max(big, Math.abs(yRaw[i]));
  // log2 of values within an ulp of the largest double rounds to 1024, and 2 ** 1024 overflows
  const scale = big > SCALE_ABOVE ? 2 ** Math.min(1023, Math.floor(Math.log2(big))) : 1;
  const y = scale === 1 ? yRaw : yRaw.map((v) => v / scale);
  const { mean, std } = meanStd(y);
  // Constant targets (or one): no spread to measure, so the unit is the targets' own magnitude. An absolute
  // unit of 1 made the prior-mean shift an offset of ~1e-3 (a constant 1e-12 predicted as 1.5e-3) and the
  // band a width of ~1e-2 (vanishing beside 1e160).
  if (std === null) return { scale, mean, std: mean !== 0 && Number.isFinite(mean) ? Math.abs(mean) : 1 };
  return { scale, mean: priorMean !== 0 ? mean + priorMean * std : mean, std };
}

/** Targets whose standard deviation is under this many ulps of their mean are taken as constant. */
const ROUNDING_ULPS = 16;

/** Sample mean and (n - 1) standard deviation; std null where there is no spread (n < 2, constant or rounding noise). */
export function meanStd(y: Float64Array): { mean: number; std: number | null } {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += (y[i] - mean) / (i + 1);
  if (n < 2) return { mean, std: null };
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(y[i] - mean));
  if (!(scale > 0) || !Number.isFinite(scale)) return { mean, std: null };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((y[i] - mean) / scale) ** 2;
  const std = scale * Math.sqrt(ss / (n - 1));
  // rounding noise: a spread of a few ulps of the mean (a spread of hundreds of ulps is signal, 1e6 + 1e-7 g)
  if (!(std > ROUNDING_ULPS * Number.EPSILON * Math.abs(mean)) || !Number.isFinite(std)) return { mean, std: null };
  return { mean, std };
}
