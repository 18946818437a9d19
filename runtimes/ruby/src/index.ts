export { RubyBuildError, RubyCallError } from './errors.js';
export { createRubyInstance, RubyInstance, type RubyInstanceOptions } from './instance.js';
export { adaptRubyModule, jsInteropMessage, RUBY_EXPORTS, RUBY_INIT_ARGS } from './module.js';
export { type BuildRubyOptions, buildRuby, RUBY_PRELUDE_PATH, type RubyBuild, recipe } from './recipe.js';
export { RUBY_PACKAGE, RUBY_PACKAGE_MODULE, RUBY_TARBALL_NAME } from './source.js';
