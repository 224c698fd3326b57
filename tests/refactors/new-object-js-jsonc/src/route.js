export async function route(request, env) {
  const count = await env.COUNTER.getByName('all').hit()
  return new Response(String(count))
}
