/**
 * A plain TCP connection with a deadline and the check's AbortSignal, read through a byte-capped buffer.
 * Used for raw ClientHellos and STARTTLS preambles; Node's `tls` takes the socket over where it is enough.
 */
import net from 'node:net';
import { DnsError, ProbeAbortedError, ProbeError, ProbeTimeoutError, TargetUnreachableError, TlsHandshakeError } from '../../errors';

export interface ConnectOptions {
  signal: AbortSignal;
  /** Deadline for this whole connection (connect, preamble, handshake answer). */
  timeoutMs: number;
  phase: string;
}

function connectError(host: string, port: number, e: NodeJS.ErrnoException): ProbeError {
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return new DnsError(host, e.code);
  return new TargetUnreachableError(`cannot connect to ${host}:${port}: ${e.code ?? e.message}`, { cause: e });
}

export class Conn {
  private chunks: Buffer[] = [];
  private waiter?: () => void;
  private failure?: Error;
  ended = false;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort: () => void;
  private readonly onData = (d: Buffer) => {
    this.chunks.push(d);
    this.wake();
  };

  private constructor(
    readonly socket: net.Socket,
    private readonly opts: ConnectOptions,
  ) {
    this.timer = setTimeout(() => this.fail(new ProbeTimeoutError(opts.timeoutMs, opts.phase)), opts.timeoutMs);
    this.onAbort = () => {
      const r: unknown = opts.signal.reason;
      this.fail(r instanceof ProbeError ? r : new ProbeAbortedError());
    };
    opts.signal.addEventListener('abort', this.onAbort, { once: true });
    socket.on('data', this.onData);
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (e) => this.fail(e));
  }

  static open(host: string, port: number, opts: ConnectOptions): Promise<Conn> {
    if (opts.signal.aborted) return Promise.reject(opts.signal.reason instanceof ProbeError ? opts.signal.reason : new ProbeAbortedError());
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    const conn = new Conn(socket, opts);
    return new Promise((resolve, reject) => {
      const onConnect = () => {
        socket.off('error', onErr);
        resolve(conn);
      };
      const onErr = (e: NodeJS.ErrnoException) => {
        conn.close();
        reject(connectError(host, port, e));
      };
      socket.once('connect', onConnect);
      socket.once('error', onErr);
      conn.waiter = () => {
        if (conn.failure) {
          socket.off('connect', onConnect);
          conn.close();
          const f = conn.failure as NodeJS.ErrnoException;
          reject(f instanceof ProbeError ? f : connectError(host, port, f));
        }
      };
    });
  }

  private fail(e: Error): void {
    if (!this.failure) this.failure = e;
    this.socket.destroy();
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** Waits for more bytes; returns them, or null at end of stream. Rejects on timeout, abort or socket error. */
  async read(): Promise<Buffer | null> {
    for (;;) {
      if (this.chunks.length) {
        const b = Buffer.concat(this.chunks);
        this.chunks = [];
        return b;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return null;
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  write(data: Buffer | string): void {
    this.socket.write(data);
  }

  /** Why the connection failed (its deadline, the check's cancellation, a socket error), once it has. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /**
   * What a TLS handshake over the detached socket rejects with when it sees a close before it completed: our deadline
   * or the check's cancellation (a ProbeError: no answer) as it is; anything else ended it from the far side (refused).
   */
  closedDuringHandshake(): ProbeError {
    const f = this.failure;
    return f instanceof ProbeError
      ? f
      : new TlsHandshakeError(`the connection closed during the TLS handshake${f ? ` (${f.message})` : ''}`);
  }

  /**
   * Stops reading so another layer (Node's tls) can take the socket over; the deadline stays in force. When it
   * strikes, the socket is destroyed under that layer, which then only sees a close: it must settle on 'close' too,
   * with `failed` as the reason (a TLSSocket destroyed that way emits no error, and a later destroy(err) on it is a
   * no-op, so a handshake waiting for 'error' waited until the check's own deadline).
   */
  detach(): net.Socket {
    this.socket.off('data', this.onData);
    return this.socket;
  }

  close(): void {
    clearTimeout(this.timer);
    this.opts.signal.removeEventListener('abort', this.onAbort);
    this.socket.destroy();
  }
}
