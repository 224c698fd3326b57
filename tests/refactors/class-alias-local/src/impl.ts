import { DurableObject } from "cloudflare:workers";

export class RoomImpl extends DurableObject {
	async fetch(): Promise<Response> {
		return new Response("room");
	}
}
