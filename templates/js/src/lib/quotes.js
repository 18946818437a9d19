// Parsed once, at build time: the snapshot holds the parsed objects, not this text.
const text = `[
  { "text": "Simplicity is prerequisite for reliability.", "author": "Edsger W. Dijkstra" },
  { "text": "Make it work, make it right, make it fast.", "author": "Kent Beck" },
  { "text": "Premature optimization is the root of all evil.", "author": "Donald Knuth" },
  { "text": "Programs must be written for people to read.", "author": "Harold Abelson" },
  { "text": "The cheapest, fastest and most reliable components are those that aren't there.", "author": "Gordon Bell" }
]`;

export const quotes = JSON.parse(text);

export function authors() {
  return new Set(quotes.map((q) => q.author));
}
