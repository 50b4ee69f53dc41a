// The README's usage example, compiled by `npm run build` so that it cannot go stale.
// Not run by the tests. Here it imports ../src/index.js; a project that depends on this
// package (or generated its own client) imports from its own path instead.
import { createClient, linksCreate, linksDeactivate } from '../src/index.js';

const client = createClient({ baseUrl: 'http://127.0.0.1:8080', auth: process.env.LINKPAY_API_KEY });
const { data: link, error } = await linksCreate({
  client,
  body: { amount: 1500, currency: 'JPY', title: 'Tea set', reference: 'INV-1001' },
  headers: { 'Idempotency-Key': crypto.randomUUID() },
});
if (error) throw new Error(`${error.error.code}: ${error.error.message} (${error.error.param ?? '-'})`);
console.log(link.id, link.short_url ?? link.url); // send this to the buyer
await linksDeactivate({ client, path: { id: link.id }, body: { message: 'Sold out, thank you!' } });
