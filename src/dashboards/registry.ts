/** The dashboards, in menu order. Adding one = one file under boards/ and one line here. */
import type { BoardEntry } from './types';
import { overview } from './boards/overview';
import { tls } from './boards/tls';
import { transactions } from './boards/transactions';
import { mfa } from './boards/mfa';
import { documents } from './boards/documents';
import { pipeline } from './boards/pipeline';

export const BOARDS: BoardEntry[] = [
  { file: 'overview.json', spec: overview },
  { file: 'tls.json', spec: tls },
  { file: 'transactions.json', spec: transactions },
  { file: 'mfa.json', spec: mfa },
  { file: 'documents.json', spec: documents },
  { file: 'pipeline.json', spec: pipeline },
];
