// Runs graphql-http's server audits (the GraphQL-over-HTTP conformance suite) against the
// endpoint given as the only argument and prints one line per audit:
//   <status> <id> <name>[ :: <reason>]
// where status is ok, error (a failed MUST), warn (a failed SHOULD) or notice (a failed MAY),
// then a SUMMARY line. Exits 1 when any MUST or SHOULD audit fails, 2 on a usage error.
//
// Audits run one after another rather than all at once (graphql-http's `auditServer`), so a
// failure is easy to read in the server's log and the run stays under the server's rate limit.
//
// When GRAPHQL_AUDIT_AUTHORIZATION is set, every request carries it as the Authorization header
// (a server that refuses anonymous requests is audited as an authenticated client). It is read
// from the environment rather than the command line so that the secret never shows in `ps`.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <http://host:port/graphql>');
  process.exit(2);
}

const authorization = process.env.GRAPHQL_AUDIT_AUTHORIZATION;
const fetchFn = authorization
  ? (input, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', authorization);
      return fetch(input, { ...init, headers });
    }
  : fetch;

const results = [];
for (const audit of serverAudits({ url, fetchFn })) {
  results.push(await audit.fn());
}

const counts = { ok: 0, error: 0, warn: 0, notice: 0 };
for (const result of results) {
  counts[result.status] += 1;
  const reason = result.status === 'ok' ? '' : ` :: ${result.reason}`;
  console.log(`${result.status} ${result.id} ${result.name}${reason}`);
}
console.log(
  `SUMMARY total=${results.length} ok=${counts.ok} error=${counts.error} warn=${counts.warn} notice=${counts.notice}`,
);
process.exit(counts.error + counts.warn > 0 ? 1 : 0);
