/**
 * Progress of long work on a terminal: one line on stderr, `label… 12 s`, refreshed every second and erased when
 * the work ends, so stdout keeps only the result. Nothing at all when stderr is not a TTY (pipes, service managers).
 */
export async function withProgress<T>(label: string, work: () => Promise<T>, err: NodeJS.WriteStream = process.stderr): Promise<T> {
  if (!err.isTTY) return work();
  const t0 = Date.now();
  const draw = () => err.write(`\r\x1b[K${label}… ${Math.round((Date.now() - t0) / 1000)} s`);
  draw();
  const timer = setInterval(draw, 1000);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
    err.write('\r\x1b[K');
  }
}
