import type { ChatRoom } from "./chat-room";
import { Counter } from "./counter";

export { Counter };

export type ChatStub = DurableObjectStub<ChatRoom>;

export default {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);

    if (url.pathname.startsWith("/rooms/")) {
      const room = url.pathname.slice("/rooms/".length);
      await env.COUNTER.getByName(url.pathname).hit();
      return env.CHAT_ROOMS.getByName(room).fetch(request);
    }

    if (url.pathname === "/stats") {
      return Response.json(await env.COUNTER.getByName("/rooms/lobby").stats());
    }

    return new Response(`Try /rooms/lobby (up to ${env.ROOM_LIMIT} people per room)`);
  },
} satisfies ExportedHandler<Env>;
