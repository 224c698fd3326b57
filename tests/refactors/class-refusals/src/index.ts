export { Room } from "./room";
export { Counter } from "./counter";
export { Bot } from "./agent";

export default {
	async fetch(): Promise<Response> {
		return new Response("ok");
	},
};
