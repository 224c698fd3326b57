import { DurableObject } from "cloudflare:workers";

interface Env {
	ROOM: DurableObjectNamespace<Room>;
}

export class Room extends DurableObject<Env> {
	greet(name: string): string {
		return `hello ${name}`;
	}
}

export default {
	async fetch(request: Request, env: Env): Promise<Response> {
		const stub = env.ROOM.getByName("a") as DurableObjectStub<Room>;
		return new Response(await stub.greet("you"));
	},
};
