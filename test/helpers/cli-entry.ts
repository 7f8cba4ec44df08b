// Runs the CLI from source (through tsx), so process tests never run a stale dist/.
import { main } from '../../src/cli/main';

void main(process.argv.slice(2));
