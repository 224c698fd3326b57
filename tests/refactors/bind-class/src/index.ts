import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject {
	hit(): number {
		return 1;
	}
}

export default {
	async fetch(request: Request, env: Env): Promise<Response> {
		return new Response(`${await env.COUNTER.getByName("a").hit()}`);
	},
} satisfies ExportedHandler<Env>;
