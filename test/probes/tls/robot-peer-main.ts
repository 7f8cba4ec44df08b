/**
 * `node --import tsx robot-peer-main.ts MODE CERT KEY`: test/probes/tls/robot-peer.ts in a process of its own, for
 * tests that stall their own process (an in-process peer would be stalled with it). Prints the port, then serves.
 */
import { robotPeer, type RobotMode } from './robot-peer';

const [mode, cert, key] = process.argv.slice(2);
void robotPeer(mode as RobotMode, { cert, key }).then((p) => console.log(p.port));
