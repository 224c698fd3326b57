import { DurableObject } from "cloudflare:workers";

class Lobby extends DurableObject {
	async fetch(): Promise<Response> {
		return new Response("lobby");
	}
}
