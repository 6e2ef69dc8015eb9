// Runs graphql-http's audit of the GraphQL-over-HTTP spec against the URL given as the
// first argument and prints one line per finding that is not "ok", then a JSON summary.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
const counts = { ok: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    console.log(`${result.status}: ${result.name}: ${result.reason}`);
  }
}
console.log(JSON.stringify(counts));
