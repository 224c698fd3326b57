import { Room } from "./room";
import { Counter } from "./counter";

export { Room, Counter };

export interface Env {
	ROOM: DurableObjectNamespace<Room>;
	COUNTER: DurableObjectNamespace<Counter>;
	LIMIT: string;
	SECRET_KEY: string;
}

export default {
	async fetch(request: Request, env: Env): Promise<Response> {
		const { ROOM, LIMIT } = env;
		const name = new URL(request.url).pathname;
		await env.COUNTER.getByName(name).hit();
		if (name === "/all") {
			return ROOM.getByName(LIMIT).fetch(request);
		}
		return env.ROOM.getByName(name).fetch(request);
	},
};
