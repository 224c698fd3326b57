import { DurableObject } from "cloudflare:workers";

// A Room keeps its members in SQLite.
export class Room extends DurableObject<Env> {
	async fetch(request: Request): Promise<Response> {
		this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS members (name TEXT)");
		return new Response(describe(this));
	}
}

function describe(room: Room): string {
	return `Room ${room.ctx.id}`;
}
