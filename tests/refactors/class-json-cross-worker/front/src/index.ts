interface Env {
  SESSION: DurableObjectNamespace<import("../../sessions/src/session").Session>;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const id = request.headers.get("cookie") ?? "anonymous";
    const seen = await env.SESSION.getByName(id).touch();
    return new Response(`seen at ${seen}`);
  },
};
