// The top level runs once, when you build (`npx wasm-runtime build`); what it computes is in the
// snapshot. `main` runs on every start (`npm start`).
import { authors, quotes } from './lib/quotes.js';

const byAuthor = authors();

function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function main() {
  console.log('Hello from JavaScript (SpiderMonkey, started from a snapshot)');
  const quote = quotes[Math.floor(Math.random() * quotes.length)];
  console.log(`"${quote.text}" (${quote.author})`);
  await pause(1);
  console.log(`${quotes.length} quotes by ${byAuthor.size} authors`);
  // main's return value is the exit code; an uncaught error prints on stderr and exits 1.
  return 0;
}
