// The top level runs once, when you build (`npx wasm-runtime build`); what it computes is in the
// snapshot. `main` runs on every start (`npm start`).
import { authors, quotes } from './lib/quotes.js';

const byAuthor = authors();

function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Each start's input: its arguments (`npm start -- a b`), its environment (`env`: what
// `--env KEY=VALUE` gives) and, for a main whose parameter names it, its stdin as bytes
// (`{ args, stdin }`: the start then reads stdin to its end first; this one never waits for it).
export async function main({ args }) {
  console.log('Hello from JavaScript (SpiderMonkey, started from a snapshot)');
  const quote = quotes[Math.floor(Math.random() * quotes.length)];
  console.log(`"${quote.text}" (${quote.author})`);
  await pause(1);
  console.log(`${quotes.length} quotes by ${byAuthor.size} authors`);
  if (args.length > 0) console.log(`arguments: ${args.join(', ')}`);
  // main's return value is the exit code; an uncaught error prints on stderr and exits 1.
  return 0;
}
