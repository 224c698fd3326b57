import { DurableObject } from "cloudflare:workers";

function helper(): string {
	return "room";
}

export class Room extends DurableObject {
	async fetch(): Promise<Response> {
		return new Response(helper());
	}
}
