/**
 * The preparing half of a seed on a thread of its own (seed.ts `worker`): plans contacts and prepares
 * their writes (seed-writes.ts preparer) a chunk at a time, one chunk per request of the main thread,
 * which runs them on the database meanwhile.
 */

import { parentPort, workerData } from "node:worker_threads";
import type { PlanOptions } from "./seed";
import { planContacts } from "./seed";
import { preparer, type Write } from "./seed-writes";
import { withSyncSubtle } from "./sync-subtle";

export type WorkerInput = PlanOptions & {
  tenant: string;
  user: string;
  hmacKey: string;
  piiKeys: string | undefined;
  chunk: number;
};
export type WorkerChunk = { writes: Write[]; contacts: number; done: boolean };

const port = parentPort;
if (!port) throw new Error("seed-worker.ts runs as a worker thread");
const input = workerData as WorkerInput;
let permits = 0;
let wake: (() => void) | null = null;
port.on("message", () => {
  permits++;
  wake?.();
});
const permit = async () => {
  while (permits === 0) await new Promise<void>((resolve) => (wake = resolve));
  permits--;
};

await withSyncSubtle(async () => {
  const prepare = preparer(input.tenant, input.user, { ring: input.piiKeys, hmacKey: input.hmacKey });
  let writes: Write[] = [];
  let contacts = 0;
  for (const plan of planContacts(input)) {
    if (contacts === 0) await permit();
    writes.push(...(await prepare(plan)));
    if (++contacts === input.chunk) {
      port.postMessage({ writes, contacts, done: false } satisfies WorkerChunk);
      writes = [];
      contacts = 0;
    }
  }
  if (contacts === 0) await permit();
  port.postMessage({ writes, contacts, done: true } satisfies WorkerChunk);
});
