import { Counter } from "./my counter";

export default {
  async fetch(request, env): Promise<Response> {
    const label = "😀 é"; const stub = env.COUNTR.getByName(label);
    return Response.json({ value: await stub.total([label]) });
  },
} satisfies ExportedHandler<Env>;
