import { limit } from "./rate-limit";

export { Counter } from "./counter";

export default {
	async fetch(request: Request, env: Env): Promise<Response> {
		limit(request);
		const count = await env.COUNTER.getByName("all").hit();
		return new Response(`${count}`);
	},
} satisfies ExportedHandler<Env>;
