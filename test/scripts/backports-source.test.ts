/** scripts/backports-source.sh derives the backports source from the machine's own apt sources, in both formats. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = resolve(__dirname, '../../scripts/backports-source.sh');
const base = mkdtempSync(join(tmpdir(), 'apt-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let n = 0;
/** A fake root with the given files under etc/apt; returns the script's output. */
function derive(files: Record<string, string>, codename = 'bookworm') {
  const root = join(base, String(n++));
  mkdirSync(join(root, 'etc/apt/sources.list.d'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'etc/apt', name), text);
  writeFileSync(join(root, 'etc/os-release'), 'ID=debian\nVERSION_CODENAME=bookworm\n');
  const r = spawnSync('bash', [script, codename, root], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const stanza = (uris: string, signedBy?: string) =>
  `Types: deb\nURIs: ${uris}\nSuites: bookworm-backports\nComponents: main\n${signedBy ? `Signed-By: ${signedBy}\n` : ''}`;

describe('backports-source.sh', () => {
  it('deb822: takes the URI and keyring of the enabled entry for the suite, not security or disabled ones', () => {
    const r = derive({
      'sources.list.d/debian.sources': [
        '# generated',
        'Types: deb',
        'URIs: http://security.mirror.example/debian-security',
        'Suites: bookworm-security',
        'Components: main',
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
        '',
        'Types: deb',
        'URIs: http://old.example/debian',
        'Suites: bookworm',
        'Components: main',
        'Enabled: no',
        '',
        'Types: deb deb-src',
        '# a comment inside the stanza',
        'URIs: http://apt-cache.internal:3142/debian',
        'Suites: bookworm bookworm-updates',
        'Components: main contrib',
        'Signed-By: /etc/apt/keyrings/mirror.gpg',
        '',
      ].join('\n'),
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(stanza('http://apt-cache.internal:3142/debian', '/etc/apt/keyrings/mirror.gpg'));
  });

  it('deb822: keeps an inline key (continuation lines) and several URIs', () => {
    const key = ' -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n mQINBGPL\n -----END PGP PUBLIC KEY BLOCK-----';
    const r = derive({
      'sources.list.d/mirror.sources': `Types: deb\nURIs: https://a.example/debian https://b.example/debian\nSuites: bookworm\nComponents: main\nSigned-By:\n${key}\n`,
    });
    expect(r.code).toBe(0);
    expect(r.out).toBe(`Types: deb\nURIs: https://a.example/debian https://b.example/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By:\n${key}\n`);
  });

  it('one-line sources.list: URI and signed-by option, skipping comments, deb-src and other suites', () => {
    const r = derive({
      'sources.list': [
        '# deb http://commented.example/debian bookworm main',
        'deb-src http://src.example/debian bookworm main',
        'deb http://security.example/debian-security bookworm-security main',
        'deb [arch=amd64 signed-by=/usr/share/keyrings/corp.gpg] http://mirror.corp.example/debian bookworm main non-free-firmware # trailing',
      ].join('\n') + '\n',
    });
    expect(r.code).toBe(0);
    expect(r.out).toBe(stanza('http://mirror.corp.example/debian', '/usr/share/keyrings/corp.gpg'));
  });

  it('one-line without options: no Signed-By (apt uses its trusted keys), also from sources.list.d/*.list', () => {
    const r = derive({ 'sources.list.d/local.list': 'deb\thttp://10.0.0.5/debian   bookworm main\n' });
    expect(r.code).toBe(0);
    expect(r.out).toBe(stanza('http://10.0.0.5/debian'));
  });

  it('prefers deb822 entries, and reads the codename of another release', () => {
    const r = derive({
      'sources.list': 'deb http://one-line.example/debian trixie main\n',
      'sources.list.d/debian.sources': 'Types: deb\nURIs: http://deb822.example/debian\nSuites: trixie\nComponents: main\n',
    }, 'trixie');
    expect(r.out).toBe('Types: deb\nURIs: http://deb822.example/debian\nSuites: trixie-backports\nComponents: main\n');
  });

  it('fails, saying why, when no entry for the suite exists', () => {
    const r = derive({ 'sources.list': 'deb http://x.example/debian bullseye main\n', 'sources.list.d/cd.list': 'deb cdrom:[Debian]/ bookworm main\n' });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^backports-source: no enabled deb entry for suite "bookworm" in .*\/etc\/apt\/sources.list or .*\/etc\/apt\/sources.list.d\/\n$/);
  });

  it('setup.sh names no host', async () => {
    const { readFileSync } = await import('node:fs');
    const setup = readFileSync(resolve(__dirname, '../../scripts/setup.sh'), 'utf8');
    expect(setup).not.toMatch(/https?:\/\//);
    expect(setup).toContain('scripts/backports-source.sh bookworm');
  });
});
