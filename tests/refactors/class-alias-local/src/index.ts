export { RoomImpl as Room } from "./impl";

export default {
	async fetch(request: Request, env: { ROOM: DurableObjectNamespace }): Promise<Response> {
		return env.ROOM.getByName("a").fetch(request);
	},
};
