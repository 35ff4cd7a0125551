// Fails when src/api/schema.d.ts differs from what `npm run gen:api` writes from
// ../spec/openapi.json, so a server API change cannot land without the client types.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const committed = 'src/api/schema.d.ts';
const dir = mkdtempSync(join(tmpdir(), 'pelab-api-'));
const fresh = join(dir, 'schema.d.ts');
try {
  execFileSync('npx', ['openapi-typescript', '../spec/openapi.json', '--empty-objects-unknown', '-o', fresh], { stdio: 'pipe' });
  const want = readFileSync(fresh, 'utf8');
  let have = '';
  try {
    have = readFileSync(committed, 'utf8');
  } catch {
    console.error(`${committed} is missing: run \`npm run gen:api\` and commit it.`);
    process.exit(1);
  }
  if (want !== have) {
    console.error(`${committed} is stale against ../spec/openapi.json: run \`npm run gen:api\` and commit it.`);
    process.exit(1);
  }
  console.log(`${committed} matches ../spec/openapi.json`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
