/** A local target the demo starts so a newcomer sees real results; one file per target under targets/. */
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
