// The README's images and document links on the package page. npmjs.com
// resolves relative paths only through the package.json `repository` field,
// and this package names no repository. So docs/ ships in the package
// (`files`) and the packed README points its images and its links into docs/
// at them through jsDelivr, which serves the files of every published npm
// version: https://cdn.jsdelivr.net/npm/<name>@<version>/docs/<file>.
// In the repository the README keeps relative paths, so a checkout shows them
// offline and before a version is published: `npm pack` / `npm publish` run
// `node scripts/readme-images.mjs cdn` before packing (prepack) and `local`
// after (postpack). Both are idempotent.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The jsDelivr URL prefix of this version of the package. */
export function cdnPrefix(name, version) {
  return `https://cdn.jsdelivr.net/npm/${name}@${version}/`;
}

const LOCAL_IMAGE = /(!?\[[^\]]*\]\()(docs\/[^)\s]+\))/g;

/** Relative image and link paths under docs/ -> this version's CDN URLs. */
export function toCdn(readme, name, version) {
  return readme.replace(LOCAL_IMAGE, (_, open, rest) => open + cdnPrefix(name, version) + rest);
}

/** This package's CDN image and link URLs (any version) -> relative paths. */
export function toLocal(readme, name) {
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const cdn = new RegExp(`(!?\\[[^\\]]*\\]\\()https://cdn\\.jsdelivr\\.net/npm/${escaped}@[^/)\\s]+/(docs/[^)\\s]+\\))`, 'g');
  return readme.replace(cdn, (_, open, rest) => open + rest);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  if (mode !== 'cdn' && mode !== 'local') {
    console.error('usage: node scripts/readme-images.mjs cdn|local');
    process.exit(2);
  }
  const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
  const text = readFileSync('README.md', 'utf8');
  const out = mode === 'cdn' ? toCdn(text, name, version) : toLocal(text, name);
  if (out !== text) writeFileSync('README.md', out);
}
