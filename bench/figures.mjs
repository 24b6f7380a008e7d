// How the Node benches print a figure: its value, its goal, and whether it
// meets it; the same line and the same BENCH_REPORT record as bench/figures.py.
import { appendFileSync } from "node:fs";

function number(value) {
  if (value >= 100) return value.toFixed(0).padStart(8);
  if (value >= 10) return value.toFixed(1).padStart(8);
  return value.toFixed(2).padStart(8);
}

/**
 * Print one figure and append it to $BENCH_REPORT (one JSON line) when set.
 * unit: "x", " ms", " MB", " s"; atMost: which side of the goal is good.
 * Returns true when the figure meets its goal.
 */
export function report(bench, figure, value, goal, unit = "", { atMost = true, detail = "" } = {}) {
  const ok = atMost ? value <= goal : value >= goal;
  const said = ok ? "meets" : "misses";
  const line = `  ${figure.padEnd(46)} ${number(value)}${unit.padEnd(4)} goal ${atMost ? "<=" : ">="} ${number(goal)}${unit.padEnd(4)} ${said}`;
  console.log(detail ? `${line}  (${detail})` : line);
  if (process.env.BENCH_REPORT) {
    appendFileSync(process.env.BENCH_REPORT, JSON.stringify({ bench, figure, value, goal, unit, at_most: atMost, verdict: said, detail }) + "\n");
  }
  return ok;
}
