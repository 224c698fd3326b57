import { DurableObject } from "cloudflare:workers";

interface Env {
  COUNTER: DurableObjectNamespace<Counter>;
}

export class Counter extends DurableObject<Env> {
  hit(): number {
    const count = (this.ctx.storage.kv.get<number>("count") ?? 0) + 1;
    this.ctx.storage.kv.put("count", count);
    return count;
  }
}

// Counter is mentioned in this comment and in "strings": neither changes.
const registry = { Counter };

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const count = await env.COUNTER.getByName("Counter").hit();
    return new Response(`${count} visits (${Object.keys(registry)})`);
  },
};
