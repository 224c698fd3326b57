import { Room } from "./room";

export { Room };

export default {
	async fetch(request: Request, env: Env): Promise<Response> {
		const url = new URL(request.url);
		const stub = env.ROOM.getByName(url.pathname);
		return stub.fetch(request);
	},
} satisfies ExportedHandler<Env>;
