import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "RUBY_EXPORTS",
      "RUBY_INIT_ARGS",
      "RUBY_PACKAGE",
      "RUBY_PACKAGE_MODULE",
      "RUBY_PRELUDE_PATH",
      "RUBY_TARBALL_NAME",
      "RubyBuildError",
      "RubyCallError",
      "RubyInstance",
      "adaptRubyModule",
      "buildRuby",
      "createRubyInstance",
      "jsInteropMessage",
      "recipe",
    ]
  `);
});
