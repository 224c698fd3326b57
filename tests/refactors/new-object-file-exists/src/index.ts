import { room } from "./room";

export default {
	async fetch(): Promise<Response> {
		return new Response(room());
	},
};
