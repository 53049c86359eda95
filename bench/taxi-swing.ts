/**
 * Why the taxi study's validation RMSE swings between consecutive epochs.
 * One seed's trainings (the shared initial points by default), 12 epochs,
 * each configuration trained twice on the same weights and batch order:
 * once scored on the validation rows and once on the test rows. The scoring
 * set does not touch training, so both curves follow the same weights: a
 * swing that shows in both is the weights moving (optimization), a swing in
 * one only is that set's sampling noise. `--batch` and `--lr-scale` show how
 * the swing moves with batch size and learning rate.
 *
 *   npx tsx bench/taxi-swing.ts --seed 1 [--points 5] [--batch 128] [--lr-scale 1] [--lr-schedule linear] [--out FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { prepareData } from '../src/cli/data';
import { setupEnvironment } from '../src/cli/environment';
import { resolveOptions } from '../src/cli/options';
import { sharedInitialPoints } from '../src/cli/run-strategy';
import { Space } from '../src/space';
import { taxiStudy } from '../src/studies';
import type { LrSchedule } from '../src/util/lr-schedule';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' }, points: { type: 'string', default: '5' },
    batch: { type: 'string', default: '128' }, 'lr-scale': { type: 'string', default: '1' },
    epochs: { type: 'string', default: '12' }, 'lr-schedule': { type: 'string', default: 'constant' }, out: { type: 'string' },
  },
});
const seed = Number(values.seed);
const o = resolveOptions({ seeds: [seed], pruner: 'asha', strategies: ['bayes'] });
const space = Space.fromOptions({ space: taxiStudy.space });
const data = await (await prepareData(o))(seed);
const env = await setupEnvironment(o.backend, o.engine, () => {});
const s = data.splits as Parameters<typeof taxiStudy.train>[1];
const points = sharedInitialPoints(space, seed, Number(values.points));
const opts = { epochs: Number(values.epochs), batchSize: Number(values.batch), seed, patience: Infinity, lrSchedule: values['lr-schedule'] as LrSchedule };
const sd = (xs: number[]) => { const m = xs.reduce((a, b) => a + b, 0) / xs.length; return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length); };
const rows = [];
console.log(`seed ${seed}, val ${s.val.n} rows, test ${s.test.n} rows, train ${s.train.n}; batch ${opts.batchSize}, lr x ${values['lr-scale']}, schedule ${opts.lrSchedule}`);
for (const p0 of points) {
  const p = { ...p0, learning_rate: Number(p0.learning_rate) * Number(values['lr-scale']) };
  const val = (await taxiStudy.train(p, s, opts)).history.map((h) => h.valMetric as number);
  const test = (await taxiStudy.train(p, { ...s, val: s.test }, opts)).history.map((h) => h.valMetric as number);
  const dv = val.slice(1).map((v, i) => v - val[i]);
  const dt = test.slice(1).map((v, i) => v - test[i]);
  const sameSign = dv.filter((d, i) => Math.sign(d) === Math.sign(dt[i])).length;
  rows.push({ params: p, val, test });
  console.log(`lr ${p.learning_rate.toExponential(2)} l2 ${Number(p0.l2).toExponential(2)}`);
  console.log(`  val : ${val.map((v) => v.toFixed(3)).join(' ')}`);
  console.log(`  test: ${test.map((v) => v.toFixed(3)).join(' ')}`);
  console.log(`  sd of epoch-to-epoch change: val ${sd(dv).toFixed(3)}, test ${sd(dt).toFixed(3)}; same sign ${sameSign} of ${dv.length}`);
}
env.dispose();
if (values.out) writeFileSync(values.out, JSON.stringify({ seed, opts, lrScale: Number(values['lr-scale']), rows }, null, 2));
