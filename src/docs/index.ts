import { fileURLToPath } from 'node:url';

/**
 * The API reference page, GET /docs: Stoplight Elements rendering /openapi.json, served from
 * DOCS_PAGE_DIR. tools/build-docs-page.ts fills that folder (`npm run docs:build`, run by `npm start`
 * and `npm test` first) from page/ and the Elements bundle; nothing is loaded from elsewhere.
 */
export const DOCS_PAGE_PATH = '/docs';
/** <repo>/public/docs (git-ignored build output). */
export const DOCS_PAGE_DIR = fileURLToPath(new URL('../../public/docs', import.meta.url));
/** The page's own sources: index.html and docs.css. */
export const DOCS_PAGE_SOURCES = fileURLToPath(new URL('./page', import.meta.url));
