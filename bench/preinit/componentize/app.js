// The JS app of the componentize-js comparison: a lookup table and a template built at init (in the
// snapshot), used by the exported function.
const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
const index = new Map(words.map((w, i) => [w, { rank: i + 1, letters: [...w].sort().join('') }]));
const template = (name, entry) => `${name}: ${entry ? `#${entry.rank} (${entry.letters})` : 'unknown'}`;

export function render(name) {
  return template(name, index.get(name));
}
