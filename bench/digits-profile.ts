/**
 * Where one training step of the digits CNN goes on tfjs's wasm backend
 * (28 x 28, width 128, RMSprop, seeded dropout, trained on logits as the
 * study trains it): `tf.profile` over a few steps after warm-up, each kernel
 * put in a category by its name and output shape (RMSprop's updates are the
 * elementwise kernels whose output has a weight's shape), and the step's
 * process CPU time beside the kernels' sum (the rest: tfjs's tape and
 * gradient bookkeeping, tensor allocation, dropout's random numbers drawn in
 * JavaScript). Writes bench/results/digits-profile.json.
 *
 *   npx tsx bench/digits-profile.ts [--batch 32] [--steps 6] [--width 1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { digitsStudy } from '../src/studies';
import { setupTfjsBackend } from '../src/tfjs';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '32' },
    steps: { type: 'string', default: '6' },
    width: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench/results/digits-profile.json' },
  },
});
const batch = Number(values.batch);
const steps = Number(values.steps);
const info = await setupTfjsBackend({ prefer: 'wasm', log: (l) => console.log(l) });
if (info.backend !== 'wasm') throw new Error(`asked for wasm, got ${info.backend}`);

const params = { dropout: 0.4, dense_units_x128: Number(values.width), learning_rate: 3e-3 };
const model = digitsStudy.buildModel(params, [28, 28, 1], { seed: 1, logits: true } as never);
model.compile({ optimizer: tf.train.rmsprop(3e-3), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p) });
const weightShapes = new Set(model.trainableWeights.map((w) => JSON.stringify(w.shape)));
const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 1);
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10).toFloat();
for (let i = 0; i < 2; i++) await model.trainOnBatch(x, y);

/** The category of one kernel call. */
function category(name: string, outShape: readonly number[]): string {
  if (name === 'Conv2D') return 'forward convolutions (XNNPACK)';
  if (name === 'Conv2DBackpropFilter') return 'convolution dW (this project)';
  if (name === 'Conv2DBackpropInput') return 'convolution dx (this project)';
  if (name === '_FusedMatMul' || name === 'BatchMatMul') return 'dense layers (matMul, forward and backward)';
  if (name === 'MaxPool' || name === 'MaxPoolGrad') return 'max pooling (forward and backward)';
  if (weightShapes.has(JSON.stringify(outShape))) return 'RMSprop and bias gradients (weight-shaped elementwise)';
  return 'other elementwise (ReLU, dropout masks, loss, reshapes)';
}

const byCat = new Map<string, number>();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const prof = await tf.profile(async () => { for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y); });
const wallMs = (performance.now() - t0) / steps;
const c = process.cpuUsage(cpu0);
const cpuMs = (c.user + c.system) / 1000 / steps;
for (const k of prof.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  const cat = category(k.name, k.outputShapes[0] ?? []);
  byCat.set(cat, (byCat.get(cat) ?? 0) + ms / steps);
}
const kernelMs = [...byCat.values()].reduce((a, b) => a + b, 0);
byCat.set('outside kernels (tape, allocation, dropout RNG, JS)', Math.max(0, wallMs - kernelMs));

// the same steps unprofiled, for the step's real cost
const cpu1 = process.cpuUsage();
const t1 = performance.now();
for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
const plainWallMs = (performance.now() - t1) / steps;
const c1 = process.cpuUsage(cpu1);
const plainCpuMs = (c1.user + c1.system) / 1000 / steps;

/** CPU-ms per call of `f`, over `n` calls. */
function cpuMsPer(n: number, f: () => void): number {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000 / n;
}
// two parts in isolation: RMSprop's update of every weight, and the first dropout's mask (drawn in JavaScript)
const opt = tf.train.rmsprop(3e-3);
const vars = model.trainableWeights.map((w) => tf.variable(tf.zerosLike(w.read())));
const grads = vars.map((v, i) => tf.randomNormal(v.shape, 0, 1e-3, 'float32', 10 + i));
const named = () => vars.map((v, i) => ({ name: v.name, tensor: grads[i] }));
opt.applyGradients(named());
const rmspropMs = cpuMsPer(steps, () => opt.applyGradients(named()));
const pooled = tf.randomUniform([batch, 12, 12, 64], 0, 1, 'float32', 3);
const dropoutMs = cpuMsPer(steps, () => tf.dispose(tf.dropout(pooled, 0.25, undefined, 7)));
tf.dispose([...vars, ...grads, pooled]);
opt.dispose();

const rows = [...byCat].sort((a, b) => b[1] - a[1]).map(([cat, ms]) => ({ cat, ms, share: ms / wallMs }));
const load = loadavg().map((v) => v.toFixed(1)).join(' ');
console.log(`batch ${batch}, width ${128 * Number(values.width)}, ${steps} steps; profiled step ${wallMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} CPU-ms; unprofiled ${plainWallMs.toFixed(0)} ms wall, ${plainCpuMs.toFixed(0)} CPU-ms (${(batch / plainCpuMs * 1000).toFixed(0)} images/CPU-s); load ${load}`);
for (const r of rows) console.log(`${r.ms.toFixed(1).padStart(7)} ms  ${(100 * r.share).toFixed(0).padStart(3)}%  ${r.cat}`);
console.log(`in isolation: RMSprop's update of all weights ${rmspropMs.toFixed(1)} CPU-ms; the first dropout's forward mask and scaling ${dropoutMs.toFixed(1)} CPU-ms`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out!, `${JSON.stringify({ batch, steps, width: 128 * Number(values.width), wallMs, cpuMs, plainWallMs, plainCpuMs, rmspropMs, dropoutMs, rows, loadavg: loadavg() }, null, 2)}\n`);
tf.dispose([x, y]);
model.dispose();
info.dispose();
