// The example page's script: load the dist once (?dist=URL, default /dists/app/), then start a
// fresh instance of its snapshot on every click of Run.
import { loadDistFromUrl, run } from '@wasm-runtime/pipeline/browser';

const $ = (id) => document.getElementById(id);
const status = $('status');
const button = $('run');
const decoder = new TextDecoder();
const distUrl = new URL(new URLSearchParams(location.search).get('dist') ?? '/dists/app/', location.href);

function show(message, state) {
  status.textContent = message;
  status.dataset.state = state;
}

let loaded;
try {
  const started = performance.now();
  loaded = await loadDistFromUrl(distUrl);
  show(`${loaded.manifest.name} loaded in ${Math.round(performance.now() - started)} ms.`, 'ready');
  button.disabled = false;
} catch (error) {
  show(`Cannot load ${distUrl}: ${error.code ? `[${error.code}] ` : ''}${error.message}`, 'error');
}

let runs = 0;
button.addEventListener('click', async () => {
  button.disabled = true;
  const args = $('args')
    .value.split(/\s+/)
    .filter((arg) => arg !== '');
  const started = performance.now();
  try {
    const result = await run(loaded, { args, stdin: { text: $('stdin').value } });
    $('stdout').textContent = decoder.decode(result.stdout);
    $('stderr').textContent = decoder.decode(result.stderr);
    $('exit').textContent = String(result.exitCode);
    show(`Run ${runs + 1} took ${(performance.now() - started).toFixed(1)} ms.`, 'done');
  } catch (error) {
    $('stdout').textContent = '';
    $('stderr').textContent = `${error.code ? `[${error.code}] ` : ''}${error.message}`;
    $('exit').textContent = '';
    show(`Run ${runs + 1} failed.`, 'failed');
  }
  status.dataset.runs = String(++runs);
  button.disabled = false;
});
