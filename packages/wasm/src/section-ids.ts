import type { SectionKind } from './types.js';

/** Section kinds by section id. */
export const SECTION_KIND_BY_ID: readonly (SectionKind | undefined)[] = [
  'custom',
  'type',
  'import',
  'function',
  'table',
  'memory',
  'global',
  'export',
  'start',
  'element',
  'code',
  'data',
  'datacount',
  'tag',
];

/** Where each non-custom section must appear, in the order the spec requires. */
export const SECTION_ORDER: Readonly<Record<Exclude<SectionKind, 'custom'>, number>> = {
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  tag: 6,
  global: 7,
  export: 8,
  start: 9,
  element: 10,
  datacount: 11,
  code: 12,
  data: 13,
};

/** Section ids by section kind. */
export const SECTION_ID = Object.fromEntries(
  SECTION_KIND_BY_ID.flatMap((kind, id) => (kind === undefined ? [] : [[kind, id]])),
) as Readonly<Record<SectionKind, number>>;
