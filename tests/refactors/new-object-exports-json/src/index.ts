import { DurableObject } from "cloudflare:workers";
import type { Env } from "./env";

export class Outbox extends DurableObject<Env> {
	send(to: string): string {
		this.ctx.storage.kv.put(to, Date.now());
		return to;
	}
}

export default {
	async fetch(request: Request, env: Env): Promise<Response> {
		return new Response(await env.OUTBOX.getByName("all").send(request.url));
	},
};
