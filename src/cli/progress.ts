/**
 * Progress of long work on a terminal: one line on stderr, `label… 12 s`, refreshed every second and erased when
 * the work ends, so stdout keeps only the result. Nothing at all when stderr is not a TTY (pipes, service managers).
 */

/** A progress line whose text the work updates as it goes (`set`), redrawn with the elapsed time. */
export interface ProgressLine {
  set(text: string): void;
}

/**
 * Runs `work` with a progress line on `err` when it is a TTY: `label: text… 12 s`, redrawn when the text changes
 * and every second, erased at the end. Not a TTY: `work` gets a line that writes nothing.
 */
export async function withProgressLine<T>(
  label: string,
  work: (line: ProgressLine) => Promise<T>,
  err: NodeJS.WriteStream = process.stderr,
  o: { lazy?: boolean } = {},
): Promise<T> {
  if (!err.isTTY) return work({ set: () => undefined });
  const t0 = Date.now();
  let text = '';
  let timer: NodeJS.Timeout | undefined;
  const draw = () => err.write(`\r\x1b[K${label}${text ? `: ${text}` : ''}… ${Math.round((Date.now() - t0) / 1000)} s`);
  // `lazy`: nothing is drawn until the work first reports (a one-shot probe that reports nothing stays silent).
  const start = () => {
    if (timer) return;
    timer = setInterval(draw, 1000);
    timer.unref();
  };
  if (!o.lazy) {
    draw();
    start();
  }
  try {
    return await work({
      set: (t) => {
        if (t === text) return;
        text = t;
        start();
        draw();
      },
    });
  } finally {
    if (timer) {
      clearInterval(timer);
      err.write('\r\x1b[K');
    }
  }
}

/** A progress line with a fixed label: `label… 12 s`. */
export async function withProgress<T>(label: string, work: () => Promise<T>, err: NodeJS.WriteStream = process.stderr): Promise<T> {
  return withProgressLine(label, () => work(), err);
}
