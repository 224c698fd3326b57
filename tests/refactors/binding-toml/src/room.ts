import { DurableObject } from "cloudflare:workers";
import type { Env } from "./index";

export class Room extends DurableObject<Env> {
	async fetch(request: Request): Promise<Response> {
		if (request.headers.has("x-forward")) {
			// "ROOM" in a string stays as it is.
			return this.env.ROOM.getByName("lobby").fetch(request);
		}
		return new Response("room");
	}
}
