import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createReactor, runCommand } from './helpers.js';

const example = (name: string) => fileURLToPath(new URL(`../examples/${name}/`, import.meta.url));

describe('examples', () => {
  it('hello: main prints a greeting, greet answers from JS', async () => {
    expect(await runCommand({ app: example('hello'), args: ['wasm'] })).toEqual({
      code: 0,
      stdout: 'Hello from Lua 5.4, wasm!\n',
      stderr: '',
    });
    const lua = await createReactor({ app: example('hello') });
    expect(lua.callText('greet', 'JS')).toBe('Hello from Lua 5.4, JS!');
  });

  it('large: init builds the whole catalog; main prints the report', async () => {
    const r = await runCommand({ app: example('large'), args: ['report'] });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Catalog: 600 products in 6 categories\nCustomers: 300 \(/);
    expect(r.stdout).toMatch(/\nOrders: 500, revenue €[\d,]+\.\d\d, average €[\d,]+\.\d\d\n/);
    expect(r.stdout).toMatch(/\nCatalog digest: [0-9a-f]{16}\n$/);
  });

  it('large: reactor calls go through the router, search index, templates and JSON codec', async () => {
    const lua = await createReactor({ app: example('large') });
    const info = JSON.parse(lua.callText('info'));
    expect(info).toMatchObject({ products: 600, customers: 300, orders: 500, classes: [true, false] });
    expect(info.toc).toEqual(['Catalog example', 'What runs at init', 'What runs per request']);
    const hits = JSON.parse(lua.callText('search', 'solar kettle'));
    expect(hits[0].name).toBe('Solar Kettle');
    const res = JSON.parse(
      lua.callText('handle', JSON.stringify({ method: 'GET', url: '/products/KIT-0208' })),
    );
    expect(res.status).toBe(200);
    expect(res.headers['x-request']).toBe('GET /products/KIT-0208');
    expect(JSON.parse(res.body)).toMatchObject({
      sku: 'KIT-0208',
      name: 'Solar Kettle',
      price: { currency: 'EUR' },
    });
    const missing = JSON.parse(
      lua.callText('handle', JSON.stringify({ method: 'DELETE', url: '/search?q=x' })),
    );
    expect(missing).toMatchObject({ status: 405, headers: { allow: 'GET' } });
    expect(lua.callText('order', 'ORD-100003')).toMatch(/^Order ORD-100003 for .+\nSubtotal/s);
    expect(lua.callText('markdown', '# Hi *there*')).toBe('<h1>Hi <em>there</em></h1>');
    const { createHash } = await import('node:crypto');
    expect(lua.callText('digest', 'abc')).toBe(createHash('sha256').update('abc').digest('base64'));
  });
});
