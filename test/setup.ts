// Quiet logs in this process unless asked for (PENGAWAS_LOG_LEVEL=debug npx jest ...). Only in this process: a CLI
// a test spawns inherits the environment, and there PENGAWAS_LOG_LEVEL overrides its settings file.
import { setLogLevel } from '../src/util/logger';

setLogLevel(process.env.PENGAWAS_LOG_LEVEL ?? 'silent');
