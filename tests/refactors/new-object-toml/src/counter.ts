import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject<Env> {
	hit(): number {
		const count = (this.ctx.storage.kv.get<number>("count") ?? 0) + 1;
		this.ctx.storage.kv.put("count", count);
		return count;
	}
}
