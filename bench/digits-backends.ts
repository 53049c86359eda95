/**
 * Training speed of the digits CNN (28 x 28, width 128) per tfjs backend: one
 * process per backend (tfjs keeps one global backend). Times `trainOnBatch`
 * (forward, backward, RMSprop update) on random digits after two warm-up
 * steps and prints images per second of wall time and of process CPU time,
 * and which kernels one step ran (to check which convolution gradients the
 * backend uses). Writes bench/results/digits-backends-<backend>.json.
 *
 *   npx tsx bench/digits-backends.ts --backend wasm [--threads 2] [--batch 64] [--steps 8]
 *   backends: wasm, cpu, webgpu (Node: Dawn, on whatever adapter it finds)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { digitsStudy } from '../src/studies';
import { setupTfjsBackend, type TfjsBackendName } from '../src/tfjs';
import { loadWasmBackend } from '../src/tfjs/wasm';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    threads: { type: 'string', default: '0' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '8' },
    out: { type: 'string' },
  },
});
const backend = values.backend as TfjsBackendName;
const threads = Number(values.threads);
const batch = Number(values.batch);
const steps = Number(values.steps);

if (backend === 'wasm' && threads > 0) {
  await loadWasmBackend();
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(threads);
}
const info = await setupTfjsBackend({ prefer: backend, log: (l) => console.log(l) });
if (info.backend !== backend) throw new Error(`asked for ${backend}, got ${info.backend}`);
const flags: Record<string, unknown> = {};
if (backend === 'wasm') {
  flags.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  flags.multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  flags.threadsCount = wasm.getThreadsCount();
}
console.log('backend flags', JSON.stringify(flags));

const model = digitsStudy.buildModel({ dropout: 0.3, dense_units_x128: 1, learning_rate: 1e-3 }, [28, 28, 1], { seed: 1, logits: true } as never);
model.compile({ optimizer: tf.train.rmsprop(1e-3), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p) });
const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 1);
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10).toFloat();
await model.trainOnBatch(x, y);
const prof = await tf.profile(async () => { await model.trainOnBatch(x, y); });
const kernels = [...new Set(prof.kernelNames)].sort();
console.log('kernels of one step:', kernels.join(' '));
const byKernel = new Map<string, number>();
for (const k of prof.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms);
}
const kernelMs = Object.fromEntries([...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => [k, Math.round(v)]));
console.log('kernel ms of one step (top 8):', JSON.stringify(kernelMs));
const before = tf.memory().numTensors;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
const wallS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
const after = tf.memory().numTensors;
const row = {
  backend, threads, flags, device: info.reason, batch, steps, wallS, cpuS,
  imagesPerWallS: (batch * steps) / wallS, imagesPerCpuS: (batch * steps) / cpuS,
  kernelMs, numTensorsBefore: before, numTensorsAfter: after, kernels, loadavg: loadavg(), cores: cpus().length,
};
console.log(`${backend}${threads ? ` threads=${threads}` : ''} batch ${batch}: ${row.imagesPerWallS.toFixed(1)} images/s wall, ${row.imagesPerCpuS.toFixed(1)} images/CPU-s (${steps} steps, ${wallS.toFixed(1)} s wall, ${cpuS.toFixed(1)} CPU-s; load ${loadavg().map((v) => v.toFixed(1)).join(' ')})`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out ?? `bench/results/digits-backends-${backend}${threads ? `-t${threads}` : ''}.json`, `${JSON.stringify(row, null, 2)}\n`);
tf.dispose([x, y]);
model.dispose();
info.dispose();
