// The scale workload's checks for promptfoo, doing what yardstick's
// taxonomy_depth (ignore_case on, three levels) and exact_match (trim and
// collapse whitespace) do, so both tools do the same work per row.
// bench/promptfoo-scale.yaml uses them as javascript assertions.

// The first non-empty line, without surrounding blanks, quotes and
// backticks, nor trailing periods.
function answer(s) {
  const line = s.split('\n').find((l) => /\S/.test(l)) || '';
  return line.replace(/^[\s"'`]+/, '').replace(/[\s"'`.]+$/, '');
}

function levels(s) {
  return s.split('>').map((p) => p.trim().replace(/\s+/g, ' ').toLowerCase())
    .filter((p) => p !== '');
}

function taxonomyDepth(output, context) {
  const gold = levels(context.vars.category);
  const pred = levels(answer(output));
  const named = {};
  let ok = true;
  for (let k = 1; k <= 3; k++) {
    if (k <= gold.length) ok = ok && pred[k - 1] === gold[k - 1];
    named['level' + k] = ok && pred.length >= Math.min(k, gold.length) ? 1 : 0;
  }
  return { pass: true, score: named.level3, reason: 'levels', namedScores: named };
}

function exactMatch(output, context) {
  const norm = (s) => s.replace(/\s+/g, ' ').trim();
  const pass = norm(output) === norm(context.vars.category);
  return { pass, score: pass ? 1 : 0, reason: pass ? 'equal' : 'different' };
}

module.exports = { taxonomyDepth, exactMatch };
