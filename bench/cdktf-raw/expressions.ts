/** Stage 2: the Terraform expressions of our synthesized JSON, parsed into references, calls and literals. */

/** The subset of Terraform expressions a hand-written cdktf program produces: references, calls, literals. */
export type Expr =
  | { readonly kind: 'ref'; readonly address: string; readonly path: string }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number };

class Unparsed extends Error {}

/** Parses the expression of `${...}` starting at `s[i]`; returns it and the index after its closing `}`. */
function parseInterpolation(s: string, start: number, known: ReadonlySet<string>): [Expr, number] {
  let i = start;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const ident = (): string => {
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(s.slice(i, i + 300));
    if (!m) throw new Unparsed(`identifier expected at ${i}`);
    i += m[0].length;
    return m[0];
  };
  const expr = (): Expr => {
    ws();
    const c = s[i];
    if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\') {
          text += JSON.parse(`"${s.slice(j, j + 2)}"`) as string;
          j += 2;
        } else text += s[j++];
      }
      if (j >= s.length || text.includes('${')) throw new Unparsed('string literal');
      i = j + 1;
      return { kind: 'string', value: text };
    }
    if (c !== undefined && /[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(s.slice(i));
      if (!m) throw new Unparsed('number');
      i += m[0].length;
      return { kind: 'number', value: Number(m[0]) };
    }
    const head = ident();
    ws();
    if (s[i] === '(') {
      i++;
      const args: Expr[] = [];
      ws();
      while (s[i] !== ')') {
        args.push(expr());
        ws();
        if (s[i] === ',') i++;
        else if (s[i] !== ')') throw new Unparsed(`',' or ')' expected at ${i}`);
        ws();
      }
      i++;
      return { kind: 'call', fn: head, args };
    }
    const parts = [head];
    let path = '';
    for (;;) {
      if (s[i] === '.') {
        i++;
        const name = ident();
        if (parts.length < (head === 'data' ? 3 : 2)) parts.push(name);
        else path += `${path ? '.' : ''}${name}`;
      } else if (s[i] === '[') {
        const m = /^\[(\d+)\]/.exec(s.slice(i));
        if (!m || parts.length < (head === 'data' ? 3 : 2)) throw new Unparsed('index');
        i += m[0].length;
        path += m[0];
      } else break;
    }
    const address = parts.join('.');
    if (!known.has(address)) throw new Unparsed(`not a declared resource: ${address}`);
    if (!path) throw new Unparsed(`a whole resource: ${address}`);
    return { kind: 'ref', address, path };
  };
  const e = expr();
  ws();
  if (s[i] !== '}') throw new Unparsed(`'}' expected at ${i}`);
  return [e, i + 1];
}

/** A string split into literal text and interpolations that name declared resources. */
export function parseTemplate(s: string, known: ReadonlySet<string>): (string | Expr)[] {
  const pieces: (string | Expr)[] = [];
  let text = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('$${', i)) {
      text += '$${';
      i += 3;
    } else if (s.startsWith('${', i)) {
      try {
        const [e, next] = parseInterpolation(s, i + 2, known);
        if (text) pieces.push(text);
        text = '';
        pieces.push(e);
        i = next;
      } catch (err) {
        if (!(err instanceof Unparsed)) throw err;
        text += '${';
        i += 2;
      }
    } else text += s[i++];
  }
  if (text) pieces.push(text);
  // Text left literal (a PowerShell `${What}` in a runbook) must not name a resource we failed to read.
  for (const p of pieces)
    if (typeof p === 'string')
      for (const m of p.matchAll(/\$\{[^}]*\}/g))
        for (const a of known)
          if (new RegExp(`(?<![\\w.-])${escapeRe(a)}(?![\\w-])`).test(m[0]))
            throw new Error(`cannot translate the expression ${m[0]} (it names ${a})`);
  return pieces;
}

export const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
