import { DurableObject } from "cloudflare:workers";

// Same name as the API's class, another Worker: a rename there leaves it alone.
export class Room extends DurableObject {
	async fetch(): Promise<Response> {
		return new Response("other room");
	}
}

export default {
	async fetch(request: Request, env: { ROOM: DurableObjectNamespace<Room> }): Promise<Response> {
		return env.ROOM.getByName("a").fetch(request);
	},
};
