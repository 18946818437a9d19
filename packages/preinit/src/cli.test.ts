import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import * as cli from './cli.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

describe('the cli entry point', () => {
  it('exports exactly its surface', () => {
    expect(Object.keys(cli).sort()).toEqual(['runWizerCli', 'wizerArgsToOptions']);
  });

  it('maps Wizer flags to preinitialize options', async () => {
    const { parseWizerArgs } = await import('./wizer-args.js');
    const options = await cli.wizerArgsToOptions(
      parseWizerArgs([
        '--allow-wasi',
        '--dir',
        'src',
        '--mapdir',
        '/::app',
        '--inherit-env',
        '-f',
        'init',
        'x.wasm',
      ]),
      { cwd: '/work', env: { A: '1' }, stdinIsInput: false, outputToStdout: false },
    );
    expect(options).toMatchObject({
      initFunc: 'init',
      allowWasi: true,
      keepInitFunc: false,
      wasi: {
        env: { A: '1' },
        preopens: { src: '/work/src', '/': '/work/app' },
        stdin: 'inherit',
        stdout: 'inherit',
      },
      preloads: [],
    });
    const quiet = await cli.wizerArgsToOptions(parseWizerArgs(['--inherit-stdio=false']), {
      cwd: '/',
      env: { A: '1' },
      stdinIsInput: true,
      outputToStdout: true,
    });
    expect(quiet.wasi).toMatchObject({ env: {}, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' });
  });

  it('prints help and usage errors through the given streams', async () => {
    const out = sink();
    const err = sink();
    expect(await cli.runWizerCli(['--help'], { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(out.text()).toMatch(/^wasm-runtime-wizer/);
    expect(await cli.runWizerCli(['--bogus'], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(err.text()).toMatch(/^error\[ERR_PREINIT_USAGE\]/);
  });
});
