// How `npm run generate` turns the linkpay OpenAPI document into src/generated/.
// The document's path comes from LINKPAY_OPENAPI_FILE (scripts/require-env.mjs has
// already checked it); nothing is downloaded.
import { defineConfig } from '@hey-api/openapi-ts';

export default defineConfig({
  input: process.env.LINKPAY_OPENAPI_FILE ?? '',
  output: {
    path: 'src/generated',
    // The package is an ES module compiled with `"module": "NodeNext"`, where relative
    // imports need their extension.
    module: { extension: '.js' },
    tsConfigPath: 'tsconfig.json',
  },
  plugins: [
    // fetch-based client, copied into the output: the generated code has no runtime dependency.
    '@hey-api/client-fetch',
    // Types for every schema, operation, error answer and webhook payload.
    '@hey-api/typescript',
    // One function per operationId: links_create -> linksCreate, charges_refund -> chargesRefund.
    '@hey-api/sdk',
  ],
  logs: { file: false },
  interactive: false,
});
