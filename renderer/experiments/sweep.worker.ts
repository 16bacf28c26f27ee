/** A sweep worker of the app's Sweep…: trains the runs it is handed, one at a time (job.ts). */
import type { SweepJob, SweepReply } from './job.ts';
import { trainSweepJob } from './job.ts';

const scope = self as unknown as { postMessage(m: SweepReply): void; addEventListener(type: 'message', f: (e: MessageEvent<SweepJob>) => void): void };
scope.addEventListener('message', (event) => {
  void trainSweepJob(event.data, (reply) => scope.postMessage(reply));
});
