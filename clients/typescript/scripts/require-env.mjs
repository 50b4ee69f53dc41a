// Checks what one step of `npm test` needs before it runs, and says what to do when it is
// missing, so a step never fails with a confusing message from a tool further down.
//   node scripts/require-env.mjs generate|build|run
import { existsSync, readFileSync } from 'node:fs';

const step = process.argv[2];
const problems = [];

function fail() {
  for (const p of problems) console.error(`error (${step}): ${p}`);
  process.exit(1);
}

if (step === 'generate') {
  const file = process.env.LINKPAY_OPENAPI_FILE;
  if (!file) {
    problems.push(
      'LINKPAY_OPENAPI_FILE is not set: set it to the path of the linkpay OpenAPI document (JSON), ' +
        'e.g. `curl -s http://127.0.0.1:8080/v1/openapi.json > openapi.json` from a running origin.',
    );
    fail();
  }
  if (!existsSync(file)) {
    problems.push(`LINKPAY_OPENAPI_FILE=${file}: no such file.`);
    fail();
  }
  let doc;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    problems.push(`LINKPAY_OPENAPI_FILE=${file} is not JSON (${e.message}).`);
    fail();
  }
  if (typeof doc?.openapi !== 'string' || !doc.openapi.startsWith('3.1') || typeof doc.paths !== 'object') {
    problems.push(
      `LINKPAY_OPENAPI_FILE=${file} is not an OpenAPI 3.1 document ` +
        `(openapi: ${JSON.stringify(doc?.openapi)}); fetch it from GET /v1/openapi.json.`,
    );
  }
  if (!existsSync('node_modules/@hey-api/openapi-ts')) {
    problems.push('the generator is not installed: run `npm ci` in clients/typescript first.');
  }
} else if (step === 'build') {
  if (!existsSync('src/generated/index.ts')) {
    problems.push('src/generated/ is missing: run `npm run generate` first (needs LINKPAY_OPENAPI_FILE).');
  }
  if (!existsSync('node_modules/typescript')) {
    problems.push('TypeScript is not installed: run `npm ci` in clients/typescript first.');
  }
} else if (step === 'run') {
  if (!existsSync('dist/test/links.test.js')) {
    problems.push('dist/test/links.test.js is missing: run `npm run generate && npm run build` first.');
  }
  const url = process.env.LINKPAY_API_URL;
  if (!url) {
    problems.push('LINKPAY_API_URL is not set: set it to a running origin, e.g. http://127.0.0.1:8080.');
  } else if (!/^https?:\/\/[^/]+/.test(url)) {
    problems.push(`LINKPAY_API_URL=${url} is not an http(s) URL.`);
  }
  if (!process.env.LINKPAY_API_KEY) {
    problems.push(
      'LINKPAY_API_KEY is not set: set it to a secret test key of that origin (sk_test_…), ' +
        'e.g. the demo key `linkpay serve --demo-key-file FILE` writes.',
    );
  }
} else {
  problems.push('usage: node scripts/require-env.mjs generate|build|run');
}

if (problems.length > 0) fail();
