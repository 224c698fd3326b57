import { DurableObject } from "cloudflare:workers";

export class Session extends DurableObject {
  touch(): number {
    const now = Date.now();
    this.ctx.storage.kv.put("seen", now);
    return now;
  }
}
