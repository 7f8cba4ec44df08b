/**
 * A Dockerfile reader for scripts/dockerfile-replay.ts: instructions with their line, flags (`--from=`), stage
 * names, ARG defaults substituted, line continuations joined and comments dropped, as the Dockerfile reference
 * (docs.docker.com/reference/dockerfile) defines them for the instructions this project's Dockerfile uses.
 */
export type Instruction = {
  op: string;
  args: string;
  line: number;
  flags: Record<string, string>;
  /** FROM … AS name */
  stageName?: string;
  /** exec form (`["node", "x"]`) of ENTRYPOINT/CMD */
  json?: string[];
};

export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const args: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i];
      if (/^\s*#/.test(next)) continue;
      line = `${line.slice(0, -1)} ${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start}: cannot read "${line}"`);
    const op = m[1].toUpperCase();
    let rest = m[2].trim();
    const flags: Record<string, string> = {};
    for (let f = /^--(\w[\w-]*)=(\S+)\s+/.exec(rest); f; f = /^--(\w[\w-]*)=(\S+)\s+/.exec(rest)) {
      flags[f[1]] = f[2];
      rest = rest.slice(f[0].length);
    }
    if (op === 'ARG') {
      const a = /^(\w+)(?:=(.*))?$/.exec(rest);
      if (a) args[a[1]] = a[2] ?? '';
    }
    rest = rest.replace(/\$\{(\w+)\}/g, (whole, name: string) => (op === 'FROM' || op === 'ARG' ? (args[name] ?? whole) : whole));
    const ins: Instruction = { op, args: rest, line: start, flags };
    if (op === 'FROM') {
      const s = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      ins.args = s?.[1] ?? rest;
      ins.stageName = s?.[2];
    }
    if ((op === 'ENTRYPOINT' || op === 'CMD') && rest.startsWith('[')) ins.json = JSON.parse(rest) as string[];
    out.push(ins);
  }
  return out;
}
