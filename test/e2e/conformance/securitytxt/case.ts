/** One conformance case: a security.txt text, where it comes from, and the verdict its source gives. */
export interface Case {
  /** repository@commit path::test (or RFC section) the case is taken from. */
  origin: string;
  /** 'line': the source judges one field or line, so a missing Contact/Expires (and `ignore`) is not counted. */
  scope: 'file' | 'line';
  text: string;
  theirs: 'valid' | 'invalid';
  /** The fail finding pengawas raises for this case. */
  ours?: string;
  /** Why pengawas deliberately gives the other verdict. */
  deliberate?: string;
  /** Further finding ids not judged by this case (e.g. an RFC example's long-past Expires). */
  ignore?: string[];
}
