// A syntax check of regular expressions with RE2's main error messages, for the relabel rules
// Prometheus compiles at load time (as `^(?s:<expr>)$`). Expressions are kept as written.

function fail(code: string, expr: string): never {
  throw new Error(`error parsing regexp: ${code}: \`${expr}\``);
}

/** Throws Go's "error parsing regexp: …" for the common syntax errors. */
export function checkRegexp(source: string): void {
  const expr = "^(?s:" + source + ")$";
  let depth = 0;
  let canRepeat = false;
  let lastWasRepeat = false;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === "\\") {
      if (i + 1 >= expr.length) fail("trailing backslash at end of expression", "");
      i++;
      canRepeat = true;
      lastWasRepeat = false;
      continue;
    }
    if (c === "[") {
      let j = i + 1;
      if (expr[j] === "^") j++;
      if (expr[j] === "]") j++;
      for (; j < expr.length && expr[j] !== "]"; j++) {
        if (expr[j] === "\\") j++;
        else if (expr[j] === "[" && expr[j + 1] === ":") {
          const end = expr.indexOf(":]", j + 2);
          if (end > 0) j = end + 1;
        }
      }
      if (j >= expr.length) fail("missing closing ]", expr.slice(i));
      i = j;
      canRepeat = true;
      lastWasRepeat = false;
      continue;
    }
    if (c === "(") {
      depth++;
      if (expr[i + 1] === "?") {
        const m = /^\(\?(P?<[A-Za-z0-9_]+>|[imsU-]*:|[imsU-]+\))/.exec(expr.slice(i));
        if (!m) fail("invalid or unsupported Perl syntax", expr.slice(i, i + 3));
        if (m[1]!.endsWith(")")) depth--;
        i += m[0].length - 1;
      }
      canRepeat = false;
      lastWasRepeat = false;
      continue;
    }
    if (c === ")") {
      if (depth === 0) fail("unexpected )", expr);
      depth--;
      canRepeat = true;
      lastWasRepeat = false;
      continue;
    }
    if (c === "*" || c === "+" || c === "?" || (c === "{" && /^\{[0-9]+(,[0-9]*)?\}/.test(expr.slice(i)))) {
      const op = c === "{" ? /^\{[0-9]+(,[0-9]*)?\}/.exec(expr.slice(i))![0] : c;
      if (lastWasRepeat && op !== "?") fail("invalid nested repetition operator", expr.slice(i - 1, i + op.length));
      if (!canRepeat && !lastWasRepeat) fail("missing argument to repetition operator", op);
      if (lastWasRepeat && op === "?" && expr[i - 1] === "?") fail("invalid nested repetition operator", "??");
      i += op.length - 1;
      lastWasRepeat = op !== "?" || !lastWasRepeat;
      canRepeat = false;
      continue;
    }
    canRepeat = c !== "|" && c !== "^" && c !== "$";
    lastWasRepeat = false;
  }
  if (depth > 0) fail("missing closing )", expr);
}
