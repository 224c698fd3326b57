import { DurableObject } from "cloudflare:workers";

export class Room extends DurableObject<Env> {
	async fetch(): Promise<Response> {
		return new Response("room");
	}
}

export default {
	async fetch(request, env): Promise<Response> {
		return env.ROOM.getByName("a").fetch(request);
	},
} satisfies ExportedHandler<Env>;
