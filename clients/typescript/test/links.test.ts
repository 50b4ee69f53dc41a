// The generated client against a real origin: create, list, retrieve and deactivate a
// payment link, and the typed error answers. Only the generated functions talk to the
// server; this file never calls fetch itself.
//
//   LINKPAY_API_URL  a running origin, e.g. http://127.0.0.1:8080
//   LINKPAY_API_KEY  a secret test key of its merchant (sk_test_…)
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, test } from 'node:test';

import {
  createClient,
  linksCreate,
  linksDeactivate,
  linksList,
  linksRetrieve,
  type Client,
  type Error as ApiError,
  type ErrorDetail,
  type PaymentLink,
} from '../src/index.js';

const baseUrl = process.env.LINKPAY_API_URL ?? '';
const apiKey = process.env.LINKPAY_API_KEY ?? '';

let client: Client;
// A title no other run shares, to find this run's link in lists.
const title = `TypeScript client test ${randomUUID()}`;
let created: PaymentLink;

before(async () => {
  assert.ok(baseUrl && apiKey, 'set LINKPAY_API_URL and LINKPAY_API_KEY (npm test checks this first)');
  // `auth` answers the document's `secret_key` scheme (HTTP bearer): the client sends
  // `Authorization: Bearer <key>` on every operation that declares it.
  client = createClient({ baseUrl, auth: apiKey });

  // One cheap call first, so a wrong URL or key fails here with a message saying which.
  // With throwOnError the client throws what fetch threw (the origin is unreachable) or
  // the error answer's body (e.g. 401 for a wrong key). Without it, a network failure comes
  // back as `error` with `response` undefined, although the generated type says `Response`.
  try {
    await linksList({ client, query: { limit: 1 }, throwOnError: true });
  } catch (e) {
    if (e instanceof Error) {
      throw new Error(`cannot reach the origin at LINKPAY_API_URL=${baseUrl}: is it running? (${e.message}: ${String(e.cause)})`);
    }
    throw new Error(`GET ${baseUrl}/v1/links with LINKPAY_API_KEY is refused: ${JSON.stringify(e)}`);
  }
});

/**
 * The error of a refused call, after checking it has the one error shape at run time too.
 * `answer.error` is typed by the client as the document's `Error` schema: this function
 * takes nothing else, so tsc checks that the generated operations say so.
 */
function errorOf(answer: { error?: ApiError | undefined; response: Response }, status: number): ErrorDetail {
  assert.equal(answer.response.status, status);
  assert.match(answer.response.headers.get('content-type') ?? '', /^application\/json/);
  assert.ok(answer.error, `an error body for ${status}`);
  const detail = answer.error.error;
  assert.ok(detail && typeof detail === 'object', `{"error": {…}}, got ${JSON.stringify(answer.error)}`);
  assert.equal(typeof detail.type, 'string');
  assert.equal(typeof detail.code, 'string');
  assert.equal(typeof detail.message, 'string');
  assert.ok(detail.message.length > 0);
  assert.ok(detail.param === undefined || detail.param === null || typeof detail.param === 'string');
  return detail;
}

test('links_create makes an active link, and the same Idempotency-Key replays it', async () => {
  const idempotencyKey = randomUUID();
  const body = { amount: 1500, currency: 'JPY', title, reference: 'TS-CLIENT-1', metadata: { run: 'ts' } };
  const { data, error, response } = await linksCreate({
    client,
    body,
    headers: { 'Idempotency-Key': idempotencyKey },
  });
  assert.equal(response.status, 201, JSON.stringify(error));
  assert.ok(data);
  assert.match(data.id, /^lnk_[A-Za-z0-9]+$/);
  assert.equal(data.object, 'payment_link');
  assert.equal(data.status, 'active');
  assert.equal(data.amount, 1500);
  assert.equal(data.custom_amount, null);
  assert.equal(data.currency, 'JPY');
  assert.equal(data.title, title);
  assert.equal(data.reference, 'TS-CLIENT-1');
  assert.deepEqual(data.metadata, { run: 'ts' });
  assert.equal(data.single_use, true);
  assert.equal(data.usage_limit, 1);
  assert.equal(data.paid_count, 0);
  assert.equal(data.livemode, false);
  assert.equal(data.source, 'api');
  assert.equal(data.deactivated_at, null);
  assert.ok(data.url.startsWith('http'), data.url);
  assert.ok(data.expires_at > data.created);
  created = data;

  // A retry with the same key and body answers the same link, marked as a replay.
  const replay = await linksCreate({ client, body, headers: { 'Idempotency-Key': idempotencyKey } });
  assert.equal(replay.response.status, 201);
  assert.equal(replay.response.headers.get('idempotent-replayed'), 'true');
  assert.equal(replay.data?.id, created.id);
});

test('links_list finds the link, newest first, and pages past it with the cursor', async () => {
  assert.ok(created, 'the create test ran first');
  const { data, error, response } = await linksList({ client, query: { limit: 100, status: 'active' } });
  assert.equal(response.status, 200, JSON.stringify(error));
  assert.ok(data);
  assert.equal(data.object, 'list');
  assert.equal(data.url, '/v1/links');
  const found = data.data.filter((l) => l.id === created.id);
  assert.equal(found.length, 1, `${created.id} in the first page of active links`);
  assert.deepEqual(found[0], created);
  for (const [i, l] of data.data.entries()) {
    const next = data.data[i + 1];
    if (next) assert.ok(l.created >= next.created, 'newest first');
  }

  // The filter by reference, and the cursor: an exploded object parameter that the client
  // must send as plain `starting_after=` / `ending_before=` query parameters.
  const byReference = await linksList({ client, query: { reference: 'TS-CLIENT-1', limit: 100 } });
  assert.equal(byReference.response.status, 200, JSON.stringify(byReference.error));
  assert.ok(byReference.data?.data.some((l) => l.id === created.id));
  assert.ok(byReference.data?.data.every((l) => l.reference === 'TS-CLIENT-1'));

  const after = await linksList({ client, query: { limit: 100, cursor: { starting_after: created.id } } });
  assert.equal(after.response.status, 200, JSON.stringify(after.error));
  assert.ok(after.data);
  assert.ok(!after.data.data.some((l) => l.id === created.id), 'the page after the link leaves it out');
  assert.ok(after.data.data.every((l) => l.created <= created.created), 'the page after it is older');

  const unknownCursor = await linksList({ client, query: { cursor: { starting_after: 'lnk_doesnotexist' } } });
  const detail = errorOf(unknownCursor, 404);
  assert.equal(detail.code, 'resource_missing');
  assert.equal(detail.param, 'starting_after');
});

test('links_retrieve answers the link by id', async () => {
  assert.ok(created, 'the create test ran first');
  const { data, error, response } = await linksRetrieve({ client, path: { id: created.id } });
  assert.equal(response.status, 200, JSON.stringify(error));
  assert.deepEqual(data, created);
});

test('links_deactivate deactivates it, with the message buyers will see, and says so again on retrieve', async () => {
  assert.ok(created, 'the create test ran first');
  const message = 'Sold out, thank you!';
  const before = Math.floor(Date.now() / 1000) - 5;
  const { data, error, response } = await linksDeactivate({
    client,
    path: { id: created.id },
    body: { message },
    headers: { 'Idempotency-Key': randomUUID() },
  });
  assert.equal(response.status, 200, JSON.stringify(error));
  assert.ok(data);
  assert.equal(data.id, created.id);
  assert.equal(data.status, 'deactivated');
  assert.equal(data.deactivation_message, message);
  assert.equal(typeof data.deactivated_at, 'number');
  assert.ok((data.deactivated_at ?? 0) >= before, 'deactivated_at is now');

  const again = await linksRetrieve({ client, path: { id: created.id } });
  assert.equal(again.response.status, 200, JSON.stringify(again.error));
  assert.ok(again.data);
  assert.equal(again.data.status, 'deactivated');
  assert.equal(again.data.deactivated_at, data.deactivated_at);
  assert.equal(again.data.deactivation_message, message);

  // It has left the active links and joined the deactivated ones.
  const active = await linksList({ client, query: { limit: 100, status: 'active' } });
  assert.ok(active.data && !active.data.data.some((l) => l.id === created.id));
  const deactivated = await linksList({ client, query: { limit: 100, status: 'deactivated' } });
  assert.ok(deactivated.data?.data.some((l) => l.id === created.id));
});

test('errors come back typed, in the one error shape', async () => {
  const missing = await linksRetrieve({ client, path: { id: 'lnk_doesnotexist' } });
  assert.equal(missing.data, undefined);
  const notFound = errorOf(missing, 404);
  assert.equal(notFound.type, 'invalid_request_error');
  assert.equal(notFound.code, 'resource_missing');
  assert.match(notFound.message, /lnk_doesnotexist/);

  const badCurrency = await linksCreate({ client, body: { amount: 1500, currency: 'XXX', title } });
  assert.equal(badCurrency.data, undefined);
  const refused = errorOf(badCurrency, 400);
  assert.equal(refused.type, 'invalid_request_error');
  assert.equal(refused.code, 'currency_unsupported');
  assert.equal(refused.param, 'currency');

  const noKey = await linksRetrieve({ client: createClient({ baseUrl }), path: { id: 'lnk_doesnotexist' } });
  const unauthenticated = errorOf(noKey, 401);
  assert.equal(unauthenticated.type, 'authentication_error');
  assert.equal(unauthenticated.code, 'api_key_missing');

  // With throwOnError the same answer is thrown, still typed.
  await assert.rejects(
    linksRetrieve({ client, path: { id: 'lnk_doesnotexist' }, throwOnError: true }),
    (e: unknown) => {
      assert.equal((e as { error?: ErrorDetail }).error?.code, 'resource_missing');
      return true;
    },
  );
});
