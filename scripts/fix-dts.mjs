// Makes the emitted declarations (dist/**/*.d.ts) load under every module
// resolution a consumer may use, `nodenext` included:
// - relative specifiers get the explicit extension Node's ESM resolution
//   needs ('./space' -> './space/index.js', './errors' -> './errors.js'),
//   resolved against the emitted files, so a wrong guess is an error here and
//   not in a user's build;
// - a declaration that names a WebGPU type (GPUDevice, GPUBuffer, ...) gets
//   `/// <reference types="@webgpu/types" />`, so it compiles with
//   `skipLibCheck: false` in projects that do not list those types.
// The sources keep extensionless imports (moduleResolution "bundler"); only
// the published declarations change.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? 'dist');

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (name.endsWith('.d.ts')) yield p;
  }
}

// from '...', import('...'), export ... from '...', import '...'
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}(?:\/[^'"]*)?)\2/g;

/** The specifier with its extension, or throws when no emitted file matches. */
export function withExtension(file, spec) {
  if (/\.(js|mjs|cjs|json)$/.test(spec)) return spec;
  const base = resolve(dirname(file), spec);
  if (existsSync(base + '.d.ts')) return spec + '.js';
  if (existsSync(join(base, 'index.d.ts'))) return spec.replace(/\/$/, '') + '/index.js';
  throw new Error(`${relative(root, file)}: cannot resolve "${spec}" to an emitted declaration`);
}

// Block and line comments, captured so that split() keeps them at odd indices.
const COMMENT = /(\/\*[\s\S]*?\*\/|\/\/[^\n]*)/;

const GPU_TYPE = /\bGPU[A-Z][A-Za-z]*\b/;
const REFERENCE = '/// <reference types="@webgpu/types" />\n';

let files = 0;
let rewritten = 0;
for (const file of walk(root)) {
  const text = readFileSync(file, 'utf8');
  // Rewrite code only: TSDoc examples keep their specifiers as written.
  let out = text.split(COMMENT).map((part, i) => (i % 2 === 1 ? part : part.replace(SPECIFIER, (_m, lead, q, spec) => {
    rewritten++;
    return `${lead}${q}${withExtension(file, spec)}${q}`;
  }))).join('');
  // Only code counts, not comments that mention a GPU type.
  const code = out.split(COMMENT).filter((_p, i) => i % 2 === 0).join('');
  if (GPU_TYPE.test(code) && !out.includes(REFERENCE)) out = REFERENCE + out;
  if (out !== text) writeFileSync(file, out);
  files++;
}
console.log(`fixed declarations: ${files} files, ${rewritten} relative specifiers`);
