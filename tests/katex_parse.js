// Parse LaTeX with KaTeX, for tests/test_rendering.py: one Node process for every expression.
//
// stdin:  JSON [[latex, displayMode], ...]
// stdout: JSON {"version": katex.version, "errors": [null or the KaTeX error message, ...]}
// exit 3: katex cannot be found (looked up from $RWPCA_KATEX, an `npm install --prefix` folder
//         or the katex package itself, else from Node's default paths).
"use strict";

let katex;
try {
  const where = process.env.RWPCA_KATEX;
  katex = require(where ? require.resolve("katex", { paths: [where] }) : "katex");
} catch (error) {
  process.stderr.write(`katex not found: ${error.message}\n`);
  process.exit(3);
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", () => {
  const errors = JSON.parse(input).map(([latex, displayMode]) => {
    try {
      // strict "error": LaTeX that KaTeX only accepts with a warning (not valid LaTeX) fails too
      katex.renderToString(latex, { throwOnError: true, displayMode, strict: "error" });
      return null;
    } catch (error) {
      return String(error.message);
    }
  });
  process.stdout.write(JSON.stringify({ version: katex.version, errors }));
});
