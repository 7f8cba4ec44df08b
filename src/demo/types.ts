/** What a demo target is (the interface); the table is registry.ts, one folder per target under targets/. */
export interface DemoContext {
  /** Folder for the demo's files (CA, certificates, documents): <dataDir>/demo. */
  dir: string;
  /** The demo CA (PEM) that demo checks trust through `caFile: data/demo/ca.pem`. */
  ca: { certPem: string; keyPem: string };
}

export interface RunningTarget {
  /** What it is and where, for the demo's banner. */
  describe: string;
  stop(): Promise<void>;
}

export interface DemoTarget {
  name: string;
  start(ctx: DemoContext): Promise<RunningTarget>;
}
