/**
 * Runs one transaction flow: optional token request, the steps in order (variables flowing from one to the next),
 * then the cleanup step whatever happened. A wrong or missing response stops the flow and names the step (fail);
 * a step that could not run at all (DNS, refused, TLS, timeout) stops it too and is rethrown after the cleanup as
 * a TransactionStepError (error). Slow steps only add warn/fail findings: later steps still run and are measured.
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { scrubSecrets } from '../../config/secrets';
import { CredentialsError, ProbeError, ProbeTimeoutError, TemplateVariableError, TransactionStepError } from '../../errors';
import { timedRequest, type PhaseTimings, type TimedResponse } from '../../net/timed-request';
import type { Finding } from '../../results/contract';
import type { ProbeContext, ProbeOutput } from '../types';
import { checkResponse, latencyFinding } from './assertions';
import { authorise, hasHeader, readToken, setHeader, tokenRequest, type PreparedRequest } from './auth';
import { extract } from './extract';
import { cachedToken, dropToken, keepToken } from './token-cache';
import type { Step, TransactionOptions } from './options';
import { render, renderJson, renderRecord, type TemplateContext } from './template';

export type StepResult = 'pass' | 'warn' | 'fail' | 'error' | 'skipped';

export interface StepRecord {
  name: string;
  method: string;
  /** Path only: query strings may carry ids that must not become evidence or label values. */
  path: string;
  result: StepResult;
  status?: number;
  phasesMs?: PhaseTimings;
  cleanup?: boolean;
}

export interface SloOutcome {
  name: string;
  objective: number;
  latencyMs?: number;
  windowMs: number;
  countErrors: boolean;
  good: boolean;
}

export interface TransactionMeasurements {
  /** Sum of the steps' durations (token request included, cleanup excluded), ms. */
  flowMs: number;
  completed: boolean;
  failedStep?: string;
  keepAlive: boolean;
  steps: StepRecord[];
  slo: SloOutcome[];
}

export const TOKEN_STEP = 'access-token';

const round = (ms: number) => Math.round(ms * 1000) / 1000;
const roundTimings = (t: PhaseTimings): PhaseTimings => ({
  dns: round(t.dns),
  connect: round(t.connect),
  tls: round(t.tls),
  ttfb: round(t.ttfb),
  transfer: round(t.transfer),
  total: round(t.total),
});

export class Flow {
  private readonly vars = new Map<string, string>();
  private readonly findings: Finding[] = [];
  private readonly records: StepRecord[] = [];
  private readonly secrets: string[] = [];
  private readonly agents?: { http: http.Agent; https: https.Agent };
  private readonly tctx: TemplateContext;
  private token?: string;
  private stepsDeadline = 0;
  private deadline = 0;

  constructor(
    private readonly base: URL,
    private readonly o: TransactionOptions,
    private readonly ctx: ProbeContext,
    private readonly ca: string | undefined,
  ) {
    if (o.keepAlive) {
      this.agents = {
        http: new http.Agent({ keepAlive: true, maxSockets: 1 }),
        https: new https.Agent({ keepAlive: true, maxSockets: 1 }),
      };
    }
    this.tctx = { vars: this.vars, timestampOffset: o.auth?.type === 'snap' ? o.auth.timestampOffset : '+07:00' };
  }

  async run(): Promise<ProbeOutput<TransactionMeasurements>> {
    const start = performance.now();
    this.deadline = start + this.ctx.timeoutMs;
    // Keep part of the budget for the cleanup, so a hanging step cannot stop it from running.
    const reserve = this.o.cleanup
      ? Math.min(this.o.cleanup.timeout ?? Math.min(5000, this.ctx.timeoutMs * 0.2), this.ctx.timeoutMs * 0.5)
      : 0;
    this.stepsDeadline = this.deadline - reserve;
    let thrown: unknown;
    let failedStep: string | undefined;
    try {
      for (const [k, v] of Object.entries(this.o.variables)) this.vars.set(k, render(v, this.tctx));
      if (this.o.auth && !(await this.runToken())) failedStep = TOKEN_STEP;
      if (!failedStep) {
        for (const step of this.o.steps) {
          if ((await this.runStep(step)) === 'fail-stop') {
            failedStep = step.name;
            break;
          }
        }
      }
    } catch (err) {
      thrown = err;
    }
    try {
      if (this.o.cleanup && !this.ctx.signal.aborted) await this.runCleanup(this.o.cleanup);
    } finally {
      for (const a of Object.values(this.agents ?? {})) a.destroy();
    }
    if (thrown) throw this.scrub(thrown);

    const measured = this.records.filter((r) => !r.cleanup && r.phasesMs);
    const flowMs = round(measured.reduce((s, r) => s + (r.phasesMs?.total ?? 0), 0));
    const completed = failedStep === undefined;
    if (completed) {
      const slow = latencyFinding({}, flowMs, this.o.degradedAfter, this.o.failAfter);
      if (slow) this.findings.push(slow);
      this.findings.unshift({
        id: 'transaction.flow.completed',
        severity: 'info',
        status: 'pass',
        message: `${measured.length} step(s) completed in ${flowMs.toFixed(1)} ms`,
        evidence: { steps: measured.length, ms: flowMs },
      });
    }
    const failed = this.findings.some((f) => f.status === 'fail');
    const measurements: TransactionMeasurements = {
      flowMs,
      completed,
      ...(failedStep ? { failedStep } : {}),
      keepAlive: this.o.keepAlive,
      steps: this.records,
      slo: this.o.slo.map((s) => ({
        name: s.name,
        objective: s.objective,
        ...(s.latency !== undefined ? { latencyMs: s.latency } : {}),
        windowMs: s.window,
        countErrors: s.countErrors,
        good: completed && !failed && (s.latency === undefined || flowMs <= s.latency),
      })),
    };
    return scrubSecrets({ target: this.base.href, findings: this.findings, measurements }, this.secrets);
  }

  /** One timed exchange; a ProbeError becomes a TransactionStepError naming the step. */
  private async exchange(name: string, req: PreparedRequest, stepTimeout: number | undefined, until: number): Promise<TimedResponse> {
    const remaining = until - performance.now();
    if (remaining <= 1)
      throw new TransactionStepError(name, new ProbeTimeoutError(this.ctx.timeoutMs, 'flow budget spent before this step'));
    // A declared length rather than chunked framing: the receiver gets one body, exactly the bytes that were signed.
    const headers = { ...req.headers };
    if (req.body !== undefined) setHeader(headers, 'Content-Length', String(Buffer.byteLength(req.body, 'utf8')));
    try {
      return await timedRequest({
        url: req.url,
        method: req.method,
        headers,
        body: req.body,
        timeoutMs: Math.max(1, Math.round(Math.min(stepTimeout ?? Infinity, remaining))),
        signal: this.ctx.signal,
        maxBodyBytes: this.o.maxBodyBytes,
        ca: this.ca,
        verifyTls: this.o.verifyTls,
        agent: this.agents ? this.agents[req.url.protocol === 'https:' ? 'https' : 'http'] : undefined,
      });
    } catch (err) {
      if (err instanceof ProbeError) throw new TransactionStepError(name, err);
      throw err;
    }
  }

  private record(name: string, req: PreparedRequest, result: StepResult, res?: TimedResponse, cleanup = false): StepRecord {
    const r: StepRecord = {
      name,
      method: req.method,
      path: req.url.pathname,
      result,
      ...(res ? { status: res.status, phasesMs: roundTimings(res.timings) } : {}),
      ...(cleanup ? { cleanup } : {}),
    };
    this.records.push(r);
    return r;
  }

  /** The token request; false when the flow must stop (a fail finding says why). */
  private async runToken(): Promise<boolean> {
    const auth = this.o.auth!;
    if (auth.reuseToken) {
      const cached = cachedToken(this.tokenKey());
      if (cached) {
        this.useToken(cached);
        this.record(TOKEN_STEP, { method: 'POST', url: new URL(auth.tokenUrl, this.base), headers: {} }, 'skipped');
        return true;
      }
    }
    const req = tokenRequest(auth, this.base);
    let res: TimedResponse;
    try {
      res = await this.exchange(TOKEN_STEP, req, undefined, this.stepsDeadline);
    } catch (err) {
      this.record(TOKEN_STEP, req, 'error');
      throw err;
    }
    const body = res.body.toString('utf8');
    if (res.status === 401 || res.status === 403) {
      this.record(TOKEN_STEP, req, 'error', res);
      const what = auth.type === 'snap' ? 'the SNAP token signature (client id, private key or timestamp)' : 'the client credentials';
      throw new TransactionStepError(TOKEN_STEP, new CredentialsError(`the target rejected ${what}: HTTP ${res.status}`));
    }
    const problems = checkResponse(
      TOKEN_STEP,
      { status: ['2xx'], json: [], headers: [], bodyMatches: [], bodyNotMatches: [] },
      res,
      body,
      this.o.maxBodyBytes,
    );
    const got = problems.length === 0 ? readToken(auth, body) : undefined;
    if (problems.length === 0 && !got) {
      problems.push({
        id: 'transaction.auth.no_token',
        severity: 'high',
        status: 'fail',
        message: `step "${TOKEN_STEP}": the token response has no access token`,
        evidence: { step: TOKEN_STEP, status: res.status },
      });
    }
    if (problems.length > 0) {
      this.findings.push(...problems);
      this.record(TOKEN_STEP, req, 'fail', res);
      return false;
    }
    this.useToken(got!.token);
    if (auth.reuseToken) keepToken(this.tokenKey(), got!.token, got!.expiresIn);
    this.record(TOKEN_STEP, req, 'pass', res);
    return true;
  }

  private useToken(token: string): void {
    this.token = token;
    this.secrets.push(token);
    this.vars.set('accessToken', token);
  }

  /** One cache entry per check, token endpoint and client. */
  private tokenKey(): string {
    return `${this.ctx.checkId}\u0000${new URL(this.o.auth!.tokenUrl, this.base).href}\u0000${this.o.auth!.clientId}`;
  }

  private prepare(step: Step): PreparedRequest {
    const headers = renderRecord({ ...this.o.headers, ...step.headers }, this.tctx);
    let body: string | undefined;
    if (step.json !== undefined) {
      body = JSON.stringify(renderJson(step.json, this.tctx));
      if (!hasHeader(headers, 'Content-Type')) headers['Content-Type'] = 'application/json';
    } else if (step.body !== undefined) body = render(step.body, this.tctx);
    const req: PreparedRequest = { method: step.method, url: new URL(render(step.url, this.tctx), this.base), headers, body };
    return this.o.auth && step.auth && this.token ? authorise(this.o.auth, this.token, req) : req;
  }

  /** 'fail-stop' when the response was wrong (the flow stops here). */
  private async runStep(step: Step): Promise<'ok' | 'fail-stop'> {
    const req = this.prepare(step);
    let res: TimedResponse;
    try {
      res = await this.exchange(step.name, req, step.timeout, this.stepsDeadline);
    } catch (err) {
      this.record(step.name, req, 'error');
      throw err;
    }
    if (this.o.auth && step.auth && res.status === 401) {
      this.record(step.name, req, 'error', res);
      // A reused token may have been revoked early: fetch a fresh one next run.
      if (this.o.auth.reuseToken) dropToken(this.tokenKey());
      const what = this.o.auth.type === 'snap' ? 'the SNAP signature or access token' : 'the access token';
      throw new TransactionStepError(step.name, new CredentialsError(`the target rejected ${what}: HTTP 401`));
    }
    const body = res.body.toString('utf8');
    const problems = checkResponse(step.name, step.expect, res, body, this.o.maxBodyBytes);
    if (problems.length === 0) {
      const got = extract(step.name, step.extract, body, res.headers);
      problems.push(...got.findings);
      for (const [k, v] of got.values) this.vars.set(k, v);
    }
    if (problems.length > 0) {
      this.findings.push(...problems);
      this.record(step.name, req, 'fail', res);
      return 'fail-stop';
    }
    const slow = latencyFinding({ step: step.name }, res.timings.total, step.degradedAfter, step.failAfter);
    if (slow) this.findings.push(slow);
    this.record(step.name, req, slow ? slow.status : 'pass', res);
    return 'ok';
  }

  /** The cleanup never changes the flow's verdict beyond a warning: it only tidies test data. */
  private async runCleanup(step: Step): Promise<void> {
    const skip = () => this.records.push({ name: step.name, method: step.method, path: '', result: 'skipped', cleanup: true });
    // Without the token it needs, the cleanup could only be refused; without its variables, only half-filled.
    if (this.o.auth && step.auth && !this.token) return void skip();
    let req: PreparedRequest;
    try {
      req = this.prepare(step);
    } catch (err) {
      if (!(err instanceof TemplateVariableError)) throw err;
      return void skip();
    }
    const warn = (message: string, evidence: Record<string, unknown>) =>
      this.findings.push({
        id: 'transaction.cleanup.failed',
        severity: 'low',
        status: 'warn',
        message: `cleanup step "${step.name}": ${message}`,
        evidence: { step: step.name, ...evidence },
      });
    try {
      const res = await this.exchange(step.name, req, step.timeout, this.deadline);
      const problems = checkResponse(step.name, step.expect, res, res.body.toString('utf8'), this.o.maxBodyBytes);
      if (problems.length > 0) warn(problems[0].message, { problems: problems.map((p) => p.id) });
      this.record(step.name, req, problems.length ? 'warn' : 'pass', res, true);
    } catch (err) {
      if (!(err instanceof ProbeError)) throw err;
      warn(err.message, { code: err.code });
      this.record(step.name, req, 'error', undefined, true);
    }
  }

  private scrub(err: unknown): unknown {
    if (!(err instanceof Error) || this.secrets.length === 0) return err;
    for (const s of this.secrets) err.message = err.message.split(s).join('[redacted]');
    return err;
  }
}
