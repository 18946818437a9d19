// The documentation site: docs/ and every package's README, as on GitHub. `npm test -w docs`
// builds it; a link to a page or file that does not exist fails the build.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A link to a folder of the repository (GitHub shows its listing). The check gets no source file,
 * so the folder is taken from the repository's root after the leading ./ and ../ steps.
 */
const isRepoFolder = (url) => {
  const path = url.replace(/^(\.\.?\/)+/, '');
  return /^[\w./-]+$/.test(path) && existsSync(repo + path) && statSync(repo + path).isDirectory();
};

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
  ignoreDeadLinks: [isRepoFolder],
  themeConfig: {
    nav: [
      { text: 'Getting started', link: '/docs/getting-started' },
      { text: 'Docs', link: '/docs/' },
      { text: 'CLI', link: '/docs/cli' },
    ],
    sidebar: [
      {
        text: 'Guides',
        items: [
          { text: 'Getting started', link: '/docs/getting-started' },
          { text: 'Recipes', link: '/docs/recipes' },
          { text: 'Artifact store', link: '/docs/artifact-store' },
          { text: 'Build output', link: '/docs/build-output' },
          { text: 'Snapshot hygiene', link: '/docs/snapshot-hygiene' },
          { text: 'CLI reference', link: '/docs/cli' },
          { text: 'Benchmarks', link: '/docs/benchmarks' },
          { text: 'Developing', link: '/docs/developing' },
        ],
      },
    ],
  },
};
