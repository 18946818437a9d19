// A large object graph built at init: 20,000 records with nested objects and arrays, an index
// over them and derived aggregates. main reads it.
const records = [];
for (let i = 0; i < 20000; i++) {
  records.push({
    id: i,
    name: `record-${i}`,
    tags: [`t${i % 7}`, `t${i % 11}`, `t${i % 13}`],
    point: { x: (i * 37) % 1000, y: (i * 91) % 1000 },
    parent: i > 0 ? records[(i * 7919) % i] : null,
  });
}
const byTag = new Map();
for (const r of records) for (const t of r.tags) byTag.set(t, (byTag.get(t) ?? 0) + 1);
const text = JSON.stringify(records.slice(0, 2000));

export function main() {
  console.log(records.length, byTag.size, byTag.get('t3'), text.length);
}
