// The documentation site: docs/ and every package's README, as on GitHub. `npm test -w docs`
// builds it; a link to a page or file that does not exist fails the build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A link to a folder or a non-Markdown file of the repository (GitHub shows it: a listing, the
 * LICENSE). The check gets no source file, so the path is taken from the repository's root after
 * the leading ./ and ../ steps.
 */
const isRepoPath = (url) => {
  const path = url.replace(/^(\.\.?\/)+/, '');
  if (!/^[\w./-]+$/.test(path) || !existsSync(repo + path)) return false;
  return statSync(repo + path).isDirectory() || !path.endsWith('.md');
};

const guides = [
  { text: 'Lua', link: '/docs/guides/lua' },
  { text: 'Python', link: '/docs/guides/python' },
  { text: 'Ruby', link: '/docs/guides/ruby' },
  { text: 'JavaScript', link: '/docs/guides/javascript' },
];

const nav = [
  { text: 'Getting started', link: '/docs/getting-started' },
  { text: 'Concepts', link: '/docs/concepts' },
  {
    text: 'Guides',
    items: guides,
  },
  { text: 'CLI', link: '/docs/cli' },
  { text: 'Docs', link: '/docs/' },
];

const sidebar = [
  {
    text: 'Introduction',
    items: [
      { text: 'Overview', link: '/docs/' },
      { text: 'Getting started', link: '/docs/getting-started' },
      { text: 'Concepts', link: '/docs/concepts' },
    ],
  },
  {
    text: 'Languages',
    items: guides,
  },
  {
    text: 'Running a build',
    items: [
      { text: 'Node, Wasmtime, components', link: '/docs/running' },
      { text: 'Wasmtime and component hosts', link: '/docs/wasmtime' },
      { text: 'Cloudflare Workers', link: '/docs/workers' },
      { text: 'In the browser', link: '/docs/browser' },
      { text: 'Bounded runs and exit statuses', link: '/docs/limits' },
      { text: 'Warm starts (a pool)', link: '/docs/pool' },
    ],
  },
  {
    text: 'Reference',
    items: [
      { text: 'CLI reference', link: '/docs/cli' },
      { text: 'Config and recipes', link: '/docs/recipes' },
      { text: 'Build output and manifest', link: '/docs/build-output' },
      { text: 'Snapshot hygiene', link: '/docs/snapshot-hygiene' },
      { text: 'Artifact store', link: '/docs/artifact-store' },
    ],
  },
  {
    text: 'Packages',
    collapsed: true,
    items: [
      { text: '@wasm-runtime/cli', link: '/packages/cli/README' },
      { text: '@wasm-runtime/pipeline', link: '/packages/pipeline/README' },
      { text: '@wasm-runtime/wasi', link: '/packages/wasi/README' },
      { text: '@wasm-runtime/preinit', link: '/packages/preinit/README' },
      { text: '@wasm-runtime/split', link: '/packages/split/README' },
      { text: '@wasm-runtime/wasm', link: '/packages/wasm/README' },
      { text: '@wasm-runtime/errors', link: '/packages/errors/README' },
      { text: '@wasm-runtime/wasi-cc', link: '/packages/wasi-cc/README' },
      { text: '@wasm-runtime/workers', link: '/packages/workers/README' },
      { text: 'create-wasm-runtime', link: '/packages/create-wasm-runtime/README' },
      { text: 'GitHub Action', link: '/packages/action/README' },
      { text: '@wasm-runtime/lua', link: '/runtimes/lua/README' },
      { text: '@wasm-runtime/python', link: '/runtimes/python/README' },
      { text: '@wasm-runtime/ruby', link: '/runtimes/ruby/README' },
      { text: '@wasm-runtime/spidermonkey', link: '/runtimes/spidermonkey/README' },
    ],
  },
  {
    text: 'Project',
    items: [
      { text: 'Benchmarks', link: '/docs/benchmarks' },
      { text: 'Developing wasm-runtime', link: '/docs/developing' },
    ],
  },
];

/**
 * The site's navigation must cover the docs and point at pages that exist: a link of the sidebar
 * or nav to a missing page, or a page of docs/ that the sidebar leaves out, fails the build (as a
 * dead link in a page does).
 */
function checkNavigation() {
  const links = [...nav, ...sidebar].flatMap((entry) => (entry.items ?? [entry]).map((item) => item.link));
  const pageOf = (link) => `${link.slice(1)}${link.endsWith('/') ? 'index' : ''}.md`;
  const missing = links.filter((link) => !existsSync(repo + pageOf(link)));
  if (missing.length > 0)
    throw new Error(`docs/.vitepress/config.mjs links to pages that do not exist: ${missing.join(', ')}`);
  const listed = new Set(sidebar.flatMap((group) => group.items.map((item) => pageOf(item.link))));
  const unlisted = readdirSync(`${repo}docs`, { recursive: true })
    .map((file) => `docs/${file.split('\\').join('/')}`)
    .filter(
      (file) => file.endsWith('.md') && !/(^|\/)(node_modules|\.vitepress)\//.test(file) && !listed.has(file),
    );
  if (unlisted.length > 0)
    throw new Error(
      `pages missing from the sidebar in docs/.vitepress/config.mjs: ${unlisted.join(', ')} (add each to a group)`,
    );
}
checkNavigation();

export default {
  title: 'wasm-runtime',
  description: 'Language runtimes compiled to WebAssembly/WASI that start from pre-initialized snapshots.',
  // The site is the repository's Markdown: docs/ links into package READMEs and back.
  srcDir: '..',
  srcExclude: [
    '**/CHANGELOG.md',
    '.changeset/**',
    '**/node_modules/**',
    '**/test/**',
    '**/fixtures/**',
    '**/dist/**',
    // The prose template docs/benchmarks.md is generated from (bench/lib/page.mjs).
    'bench/page/**',
  ],
  // The docs write <name>, <sha> and the like in prose: text, never HTML.
  markdown: {
    html: false,
    // Marker comments on a line of their own (<!-- runnable -->, read by the tests) are not shown.
    config(md) {
      md.block.ruler.before('paragraph', 'marker_comment', (state, start, _end, silent) => {
        const line = state.src.slice(state.bMarks[start] + state.tShift[start], state.eMarks[start]);
        if (!/^<!--.*-->$/.test(line.trim())) return false;
        if (!silent) state.line = start + 1;
        return true;
      });
    },
  },
  rewrites: { 'README.md': 'index.md' },
  ignoreDeadLinks: [isRepoPath],
  themeConfig: { nav, sidebar },
};
