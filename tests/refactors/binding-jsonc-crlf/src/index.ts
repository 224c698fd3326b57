import { Hono } from "hono";
import { DurableObject } from "cloudflare:workers";

type Bindings = {
  COUNTER: DurableObjectNamespace<Counter>;
};

export class Counter extends DurableObject<Bindings> {
  hit(): number {
    const count = (this.ctx.storage.kv.get<number>("count") ?? 0) + 1;
    this.ctx.storage.kv.put("count", count);
    return count;
  }
}

const app = new Hono<{ Bindings: Bindings }>();

app.get("/", async (c) => {
  const count = await c.env.COUNTER.getByName("all").hit();
  return c.text(`${count}`);
});

export default app;
