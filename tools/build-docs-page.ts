// `npm run docs:build` (run before `npm start` and `npm test`): fills public/docs/, which the service
// serves at /docs: the page's own files (src/docs/page/) and the prebuilt Stoplight Elements bundle
// with its CSS and Font Awesome's (from node_modules: a development dependency, so the image builds
// this in a build stage). Scripts and styles gain a .gz twin that @koa/send serves to clients that
// accept gzip. Copies only what changed, so a second run is quick.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DOCS_PAGE_DIR, DOCS_PAGE_SOURCES } from '../src/docs/index.ts';

const require = createRequire(import.meta.url);

/** Served name → source file. */
export function docsPageFiles(): Record<string, string> {
  const bundle = require.resolve('@stoplight/elements/web-components.min.js');
  // Font Awesome comes with Elements' UI kit (@stoplight/mosaic): take the one that resolves from there.
  const mosaic = createRequire(bundle).resolve('@stoplight/mosaic');
  const fontAwesome = createRequire(mosaic).resolve('@fortawesome/fontawesome-svg-core/styles.css');
  const own = Object.fromEntries(readdirSync(DOCS_PAGE_SOURCES).map((f) => [f, path.join(DOCS_PAGE_SOURCES, f)]));
  return {
    ...own,
    'elements.js': bundle,
    'elements.css': require.resolve('@stoplight/elements/styles.min.css'),
    'fontawesome.css': fontAwesome,
  };
}

/** Builds public/docs/; returns the names of the files it wrote. */
export function buildDocsPage(outDir = DOCS_PAGE_DIR): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, source] of Object.entries(docsPageFiles())) {
    const target = path.join(outDir, name);
    if (upToDate(source, target)) continue;
    copyFileSync(source, target);
    if (/\.(js|css)$/.test(name)) writeFileSync(`${target}.gz`, gzipSync(readFileSync(source), { level: 9 }));
    written.push(name);
  }
  return written;
}

function upToDate(source: string, target: string): boolean {
  try {
    const [s, t] = [statSync(source), statSync(target)];
    return t.size === s.size && t.mtimeMs >= s.mtimeMs;
  } catch {
    return false;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename ?? '')) {
  const written = buildDocsPage();
  process.stderr.write(
    `docs page: ${written.length ? `wrote ${written.join(', ')}` : 'up to date'} in ${path.relative(process.cwd(), DOCS_PAGE_DIR)}\n`,
  );
}
