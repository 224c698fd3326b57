import { DurableObject } from "cloudflare:workers";

type Message = { author: string; text: string; at: number };

export class ChatRoom extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS messages (author TEXT, text TEXT, at INTEGER)",
      );
    });
  }

  async fetch(request: Request): Promise<Response> {
    if (this.ctx.getWebSockets().length >= Number(this.env.ROOM_LIMIT)) {
      return new Response("room is full", { status: 503 });
    }
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    for (const message of this.history()) server.send(JSON.stringify(message));
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer) {
    const message: Message = { ...JSON.parse(String(data)), at: Date.now() };
    this.ctx.storage.sql.exec(
      "INSERT INTO messages (author, text, at) VALUES (?, ?, ?)",
      message.author,
      message.text,
      message.at,
    );
    for (const peer of this.ctx.getWebSockets()) peer.send(JSON.stringify(message));
  }

  private history(): Message[] {
    return this.ctx.storage.sql
      .exec<Message>("SELECT author, text, at FROM messages ORDER BY at DESC LIMIT 50")
      .toArray()
      .reverse();
  }
}
